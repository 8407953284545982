// IOCTL ([MS-SMB2] 3.3.5.15): VALIDATE_NEGOTIATE_INFO, QUERY_NETWORK_INTERFACE_INFO, pipe transceive,
// SRV_REQUEST_RESUME_KEY, SRV_ENUMERATE_SNAPSHOTS; DFS referrals refused (no DFS), others INVALID_DEVICE_REQUEST.
import { BODY, openAt, sessionOf, writeFileId, type Call } from './call.ts';
import { NtStatusError, Status } from './ntstatus.ts';
import { enumerateSnapshots } from './previous-versions.ts';
import { SecMode } from './negotiate.ts';
import type { Reply } from './state.ts';
import { Writer, WireError } from './wire.ts';

/** FSCTL codes handled here. */
const Fsctl = {
  DFS_GET_REFERRALS: 0x00060194,
  DFS_GET_REFERRALS_EX: 0x000601b0,
  PIPE_TRANSCEIVE: 0x0011c017,
  SRV_REQUEST_RESUME_KEY: 0x00140078,
  QUERY_NETWORK_INTERFACE_INFO: 0x001401fc,
  VALIDATE_NEGOTIATE_INFO: 0x00140204,
  SRV_ENUMERATE_SNAPSHOTS: 0x00144064,
} as const;
const IS_FSCTL = 1;
const NO_FILE = 0xffffffffffffffffn;

function validateNegotiate(call: Call, input: Buffer): Buffer {
  const { conn } = call;
  if (input.length < 24) throw new WireError('VALIDATE_NEGOTIATE_INFO input');
  const caps = input.readUInt32LE(0);
  const guid = input.subarray(4, 20);
  const mode = input.readUInt16LE(20);
  if (caps !== conn.clientCapabilities || !guid.equals(conn.clientGuid) || mode !== conn.clientSecurityMode) {
    conn.ctx.log.warn({ remote: conn.remote }, 'VALIDATE_NEGOTIATE_INFO mismatch; closing');
    conn.destroy();
    throw new NtStatusError(Status.ACCESS_DENIED);
  }
  const secMode = SecMode.SIGNING_ENABLED | (conn.config.signingRequired ? SecMode.SIGNING_REQUIRED : 0);
  return Buffer.from(new Writer().u32(conn.serverCapabilities).bytes(conn.config.serverGuid).u16(secMode).u16(conn.dialect).done());
}

function networkInterfaces(call: Call): Buffer {
  const addr = call.conn.socket.localAddress ?? '127.0.0.1';
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(addr);
  const w = new Writer().u32(0).u32(1).u32(0).u32(0).u64(10_000_000_000n);
  const sa = Buffer.alloc(128);
  if (v4) {
    sa.writeUInt16LE(2, 0);
    [1, 2, 3, 4].forEach((k, i) => (sa[4 + i] = Number(v4[k])));
  } else {
    sa.writeUInt16LE(0x17, 0);
  }
  return Buffer.from(w.bytes(sa).done());
}

/** Handles IOCTL. */
export async function ioctl(call: Call): Promise<Reply> {
  const { r } = call;
  sessionOf(call);
  if (r.u16(BODY) !== 57) throw new WireError('IOCTL StructureSize');
  const code = r.u32(BODY + 4);
  const fileId = r.u64(BODY + 16);
  const input = r.bytes(r.u32(BODY + 24), r.u32(BODY + 28));
  const maxOut = r.u32(BODY + 44);
  if (!(r.u32(BODY + 48) & IS_FSCTL)) throw new NtStatusError(Status.NOT_SUPPORTED, 'IOCTLs other than FSCTL');
  let out: Buffer;
  let status: number = Status.SUCCESS;
  switch (code) {
    case Fsctl.VALIDATE_NEGOTIATE_INFO:
      out = validateNegotiate(call, input);
      break;
    case Fsctl.QUERY_NETWORK_INTERFACE_INFO:
      out = networkInterfaces(call);
      break;
    case Fsctl.DFS_GET_REFERRALS:
    case Fsctl.DFS_GET_REFERRALS_EX:
      throw new NtStatusError(Status.FS_DRIVER_REQUIRED);
    case Fsctl.PIPE_TRANSCEIVE: {
      const open = openAt(call, BODY + 8);
      if (!open.pipe) throw new NtStatusError(Status.INVALID_DEVICE_REQUEST);
      open.pipe.write(Buffer.from(input));
      out = open.pipe.read(maxOut);
      if (open.pipe.pending) status = Status.BUFFER_OVERFLOW;
      break;
    }
    case Fsctl.SRV_REQUEST_RESUME_KEY: {
      const open = openAt(call, BODY + 8);
      out = Buffer.from(writeFileId(new Writer(), open.id).zeros(8).u32(0).done());
      break;
    }
    case Fsctl.SRV_ENUMERATE_SNAPSHOTS: {
      const open = openAt(call, BODY + 8);
      if (maxOut < 16) throw new NtStatusError(Status.INVALID_PARAMETER, 'MaxOutputResponse below 16');
      out = await enumerateSnapshots(open.vfs, open.path, maxOut);
      break;
    }
    default:
      throw new NtStatusError(Status.INVALID_DEVICE_REQUEST, `FSCTL 0x${code.toString(16)}`);
  }
  if (out.length > maxOut) throw new NtStatusError(Status.BUFFER_TOO_SMALL);
  const w = new Writer().u16(49).u16(0).u32(code);
  if (fileId === NO_FILE) w.u64(NO_FILE).u64(NO_FILE);
  else w.bytes(r.bytes(BODY + 8, 16));
  w.u32(BODY + 48).u32(0).u32(BODY + 48).u32(out.length).u32(0).u32(0).bytes(out);
  return { status, body: Buffer.from(w.done()) };
}
