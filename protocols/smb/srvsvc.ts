// The srvsvc named pipe on IPC$ ([MS-SRVS] over DCE/RPC connection-oriented PDUs, NDR32): bind, and
// NetrShareEnum (opnum 15) / NetrShareGetInfo (opnum 16), so `smbclient -L` lists the share.
import { Reader, Writer, utf16, WireError } from './wire.ts';

const PType = { REQUEST: 0, RESPONSE: 2, FAULT: 3, BIND: 11, BIND_ACK: 12, ALTER: 14, ALTER_RESP: 15 } as const;
const SRVSVC = '4b324fc8-1670-01d3-1278-5a47bf6ee188';
const NDR32 = Buffer.from('045d888aeb1cc9119fe808002b10486002000000', 'hex');
const BIND_TIME_FEATURES = '6cb71c2c-9812-4540';
const NCA_OP_RNG_ERROR = 0x1c010002;
const MAX_FRAG = 4280;
const Werr = { OK: 0, INVALID_LEVEL: 124, NET_NAME_NOT_FOUND: 2310 } as const;

function uuidOf(b: Buffer): string {
  const h = b.toString('hex');
  const le = (s: string) => s.match(/../g)!.reverse().join('');
  return `${le(h.slice(0, 8))}-${le(h.slice(8, 12))}-${le(h.slice(12, 16))}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

interface Share {
  name: string;
  type: number;
  remark: string;
}

/** NDR32 writer helpers over Writer: conformant varying strings and deferred pointers. */
class Ndr {
  readonly w = new Writer();
  private ref = 0x20000;

  ptr(present = true): this {
    this.w.u32(present ? (this.ref += 4) : 0);
    return this;
  }

  str(s: string): this {
    const n = s.length + 1;
    this.w.u32(n).u32(0).u32(n).bytes(utf16(s + '\0')).align(4);
    return this;
  }

  u32(v: number): this {
    this.w.u32(v);
    return this;
  }
}

/** Skips a [unique, string] wchar pointer in an NDR stub; returns the new offset and the string. */
function readUniqueString(r: Reader, off: number): [number, string | null] {
  const ptr = r.u32(off);
  if (!ptr) return [off + 4, null];
  return readConformantString(r, off + 4);
}

function readConformantString(r: Reader, off: number): [number, string] {
  const actual = r.u32(off + 8);
  const s = r.utf16(off + 12, actual * 2).replace(/\0+$/, '');
  return [(off + 12 + actual * 2 + 3) & ~3, s];
}

/** One client's srvsvc pipe: fed by WRITE/IOCTL, drained by READ/IOCTL. */
export class RpcPipe {
  private input = Buffer.alloc(0);
  private output = Buffer.alloc(0);
  private readonly shares: Share[];

  constructor(shareName: string) {
    this.shares = [
      { name: shareName, type: 0, remark: 'strata archive' },
      { name: 'IPC$', type: 0x80000003, remark: 'IPC Service' },
    ];
  }

  /** Bytes waiting to be read. */
  get pending(): number {
    return this.output.length;
  }

  /** Accepts request bytes; answers every complete PDU. */
  write(data: Buffer): void {
    this.input = Buffer.concat([this.input, data]);
    while (this.input.length >= 16) {
      const len = this.input.readUInt16LE(8);
      if (len < 16) throw new WireError('DCE/RPC fragment length');
      if (this.input.length < len) return;
      const pdu = this.input.subarray(0, len);
      this.input = this.input.subarray(len);
      this.output = Buffer.concat([this.output, this.handle(new Reader(Buffer.from(pdu)))]);
    }
  }

  /** Takes up to `max` bytes of pending output. */
  read(max: number): Buffer {
    const out = this.output.subarray(0, max);
    this.output = this.output.subarray(out.length);
    return Buffer.from(out);
  }

  private header(ptype: number, callId: number, bodyLen: number): Writer {
    return new Writer().u8(5).u8(0).u8(ptype).u8(0x03).bytes(Buffer.from([0x10, 0, 0, 0])).u16(16 + bodyLen).u16(0).u32(callId);
  }

  private handle(r: Reader): Buffer {
    if (r.u8(0) !== 5) throw new WireError('DCE/RPC version');
    const ptype = r.u8(2);
    const callId = r.u32(12);
    if (ptype === PType.BIND || ptype === PType.ALTER) return this.bind(r, callId, ptype === PType.BIND);
    if (ptype === PType.REQUEST) return this.request(r, callId);
    throw new WireError(`DCE/RPC packet type ${ptype}`);
  }

  private bind(r: Reader, callId: number, isBind: boolean): Buffer {
    const n = r.u8(24);
    const body = new Writer().u16(MAX_FRAG).u16(MAX_FRAG).u32(0x53f0);
    const addr = isBind ? Buffer.from('\\PIPE\\srvsvc\0', 'latin1') : Buffer.alloc(0);
    body.u16(addr.length).bytes(addr);
    body.align(4);
    body.u8(n).u8(0).u16(0);
    let off = 28;
    for (let i = 0; i < n; i++) {
      const transfers = r.u8(off + 2);
      const abstract = uuidOf(r.bytes(off + 4, 16));
      const syntaxes = Array.from({ length: transfers }, (_, k) => r.bytes(off + 24 + k * 20, 20));
      off += 24 + transfers * 20;
      if (abstract === SRVSVC && syntaxes.some((s) => s.equals(NDR32))) body.u16(0).u16(0).bytes(NDR32);
      else if (uuidOf(syntaxes[0] ?? Buffer.alloc(16)).startsWith(BIND_TIME_FEATURES)) body.u16(3).u16(0).zeros(20);
      else body.u16(2).u16(abstract === SRVSVC ? 2 : 1).zeros(20);
    }
    const b = body.done();
    return Buffer.concat([this.header(isBind ? PType.BIND_ACK : PType.ALTER_RESP, callId, b.length).done(), b]);
  }

  private request(r: Reader, callId: number): Buffer {
    const ctxId = r.u16(20);
    const opnum = r.u16(22);
    const stubAt = r.u8(3) & 0x80 ? 40 : 24;
    const stub = new Reader(r.bytes(stubAt, r.u16(8) - stubAt - r.u16(10)));
    let out: Buffer | null = null;
    if (opnum === 15) out = this.shareEnum(stub);
    else if (opnum === 16) out = this.shareGetInfo(stub);
    if (!out) {
      const fault = new Writer().u32(0).u16(ctxId).u8(0).u8(0).u32(NCA_OP_RNG_ERROR).u32(0).done();
      return Buffer.concat([this.header(PType.FAULT, callId, fault.length).done(), fault]);
    }
    const frags: Buffer[] = [];
    const room = MAX_FRAG - 24;
    for (let off = 0; off < out.length || off === 0; off += room) {
      const part = out.subarray(off, off + room);
      const h = this.header(PType.RESPONSE, callId, 8 + part.length).done();
      h[3] = (off === 0 ? 1 : 0) | (off + room >= out.length ? 2 : 0);
      frags.push(h, new Writer().u32(out.length - off).u16(ctxId).u8(0).u8(0).done(), part);
      if (off + room >= out.length) break;
    }
    return Buffer.concat(frags);
  }

  private shareEnum(stub: Reader): Buffer {
    const [off] = readUniqueString(stub, 0);
    const level = stub.u32(off);
    const prefMaxAt = off + 12 + (stub.u32(off + 8) ? 8 : 0);
    const hasResume = stub.u32(prefMaxAt + 4) !== 0;
    const ndr = new Ndr();
    if (level !== 0 && level !== 1) return ndr.u32(level).u32(level).ptr(false).u32(0).ptr(false).u32(Werr.INVALID_LEVEL).w.done();
    const n = this.shares.length;
    ndr.u32(level).u32(level).ptr().u32(n).ptr().u32(n);
    for (const s of this.shares) {
      ndr.ptr();
      if (level === 1) ndr.u32(s.type).ptr();
    }
    for (const s of this.shares) {
      ndr.str(s.name);
      if (level === 1) ndr.str(s.remark);
    }
    ndr.u32(n).ptr(hasResume);
    if (hasResume) ndr.u32(0);
    return ndr.u32(Werr.OK).w.done();
  }

  private shareGetInfo(stub: Reader): Buffer {
    let [off] = readUniqueString(stub, 0);
    let name: string;
    [off, name] = readConformantString(stub, off);
    const level = stub.u32(off);
    const ndr = new Ndr();
    const share = this.shares.find((s) => s.name.toLowerCase() === name.toLowerCase());
    if (![0, 1, 2, 501, 1005].includes(level)) return ndr.u32(level).ptr(false).u32(Werr.INVALID_LEVEL).w.done();
    if (!share) return ndr.u32(level).ptr(false).u32(Werr.NET_NAME_NOT_FOUND).w.done();
    ndr.u32(level).ptr();
    if (level === 1005) return ndr.u32(0).u32(Werr.OK).w.done();
    ndr.ptr();
    if (level !== 0) ndr.u32(share.type).ptr();
    if (level === 2) ndr.u32(0).u32(0xffffffff).u32(0).ptr().ptr(false);
    if (level === 501) ndr.u32(0);
    ndr.str(share.name);
    if (level !== 0) ndr.str(share.remark);
    if (level === 2) ndr.str('C:\\');
    return ndr.u32(Werr.OK).w.done();
  }
}
