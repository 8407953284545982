// QUERY_INFO ([MS-SMB2] 3.3.5.20): file classes, filesystem classes, and the fixed security descriptor.
import type { Stat } from '../../core/vfs/types.ts';
import { BODY, openAt, type Call } from './call.ts';
import { basicInfo, filetime, networkOpenInfo, standardInfo, streamInfo, attributes } from './fscc.ts';
import { NtStatusError, Status } from './ntstatus.ts';
import { securityDescriptor } from './security.ts';
import type { Open, Reply } from './state.ts';
import { baseName, toSmbName } from './vfs-adapter.ts';
import { Writer, utf16, WireError } from './wire.ts';

const InfoType = { FILE: 1, FILESYSTEM: 2, SECURITY: 3 } as const;
/** File classes whose size is fixed: a short buffer gets INFO_LENGTH_MISMATCH, not a truncated answer. */
const FIXED_FILE = new Set([4, 5, 6, 7, 8, 14, 16, 17, 34, 35]);
const FIXED_FS = new Set([3, 4, 7, 8, 11]);
/** The fixed part of variable-size classes: a buffer smaller than this gets INFO_LENGTH_MISMATCH, not a truncated answer. */
const MIN_FILE: Record<number, number> = { 9: 4, 18: 100, 21: 4, 22: 24 };
const MIN_FS: Record<number, number> = { 1: 18, 5: 12 };

const PIPE_STAT: Stat = { ino: 0, kind: 'file', mode: 0o600, uid: 0, gid: 0, size: 0, nlink: 1, atimeNs: 0n, mtimeNs: 0n, ctimeNs: 0n, btimeNs: 0n, readOnly: false };

async function fileInfo(open: Open, cls: number): Promise<Buffer> {
  const st = open.pipe ? PIPE_STAT : open.file ? await open.file.stat() : await open.vfs.stat(open.path);
  const name = baseName(open.path);
  const nameInfo = (full = true) => {
    const n = utf16(full ? toSmbName(open.path) : name.toUpperCase().slice(0, 12));
    return Buffer.from(new Writer().u32(n.length).bytes(n).done());
  };
  const access = open.writable || open.isDir ? 0x001f01ff : 0x001200a9;
  switch (cls) {
    case 4: return basicInfo(name, st);
    case 5: return standardInfo(st, open.deleteOnClose);
    case 6: return Buffer.from(new Writer().u64(st.ino).done());
    case 7: return Buffer.alloc(4);
    case 8: return Buffer.from(new Writer().u32(access).done());
    case 9: return nameInfo();
    case 14: return Buffer.from(new Writer().u64(open.position).done());
    case 16: return Buffer.alloc(4);
    case 17: return Buffer.alloc(4);
    case 18:
      return Buffer.concat([basicInfo(name, st), standardInfo(st, open.deleteOnClose), Buffer.from(new Writer().u64(st.ino).u32(0).u32(access).u64(open.position).u32(0).u32(0).done()), nameInfo()]);
    case 21: return nameInfo(false);
    case 22: return streamInfo(st);
    case 34: return networkOpenInfo(name, st);
    case 35: return Buffer.from(new Writer().u32(attributes(name, st)).u32(0).done());
    default: throw new NtStatusError(Status.INVALID_INFO_CLASS);
  }
}

async function fsInfo(open: Open, cls: number): Promise<Buffer> {
  const fs = await open.vfs.statfs();
  const sectorsPerUnit = Math.max(1, Math.floor(fs.blockSize / 512));
  switch (cls) {
    case 1: {
      const label = utf16('strata');
      return Buffer.from(new Writer().u64(filetime(0n)).u32(0x5354524a).u32(label.length).u8(0).u8(0).bytes(label).done());
    }
    case 3: return Buffer.from(new Writer().u64(fs.blocks).u64(fs.blocksAvail).u32(sectorsPerUnit).u32(512).done());
    case 4: return Buffer.from(new Writer().u32(7).u32(0).done());
    case 5: {
      const fsName = utf16('NTFS');
      return Buffer.from(new Writer().u32(0x1 | 0x2 | 0x4).u32(fs.nameMax || 255).u32(fsName.length).bytes(fsName).done());
    }
    case 7: return Buffer.from(new Writer().u64(fs.blocks).u64(fs.blocksAvail).u64(fs.blocksFree).u32(sectorsPerUnit).u32(512).done());
    case 8: return Buffer.alloc(64);
    case 11: return Buffer.from(new Writer().u32(512).u32(512).u32(512).u32(512).u32(0x3).u32(0).u32(0).done());
    default: throw new NtStatusError(Status.INVALID_INFO_CLASS);
  }
}

/** Handles QUERY_INFO. */
export async function queryInfo(call: Call): Promise<Reply> {
  const { r } = call;
  if (r.u16(BODY) !== 41) throw new WireError('QUERY_INFO StructureSize');
  const type = r.u8(BODY + 2);
  const cls = r.u8(BODY + 3);
  const outLen = r.u32(BODY + 4);
  const additional = r.u32(BODY + 16);
  const open = openAt(call, BODY + 24);
  let data: Buffer;
  let fixed: boolean;
  if (type === InfoType.FILE) {
    data = await fileInfo(open, cls);
    fixed = FIXED_FILE.has(cls) || outLen < (MIN_FILE[cls] ?? 0);
  } else if (type === InfoType.FILESYSTEM) {
    data = await fsInfo(open, cls);
    fixed = FIXED_FS.has(cls) || outLen < (MIN_FS[cls] ?? 0);
  } else if (type === InfoType.SECURITY) {
    const st = open.pipe ? PIPE_STAT : await open.vfs.stat(open.path);
    data = securityDescriptor(additional, open.isDir, st.readOnly);
    if (data.length > outLen) throw new NtStatusError(Status.BUFFER_TOO_SMALL, 'security descriptor', Buffer.from(new Writer().u32(data.length).done()));
    fixed = false;
  } else {
    throw new NtStatusError(Status.INVALID_INFO_CLASS);
  }
  let status: number = Status.SUCCESS;
  if (data.length > outLen) {
    if (fixed) throw new NtStatusError(Status.INFO_LENGTH_MISMATCH);
    data = data.subarray(0, outLen);
    status = Status.BUFFER_OVERFLOW;
  }
  return { status, body: Buffer.concat([Buffer.from(new Writer().u16(9).u16(BODY + 8).u32(data.length).done()), data.length ? data : Buffer.alloc(1)]) };
}
