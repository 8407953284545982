// CREATE ([MS-SMB2] 3.3.5.9): dispositions, DIRECTORY/NON_DIRECTORY/DELETE_ON_CLOSE options, create contexts
// (MxAc and QFid answered, TWrp opens a snapshot, others ignored), @GMT paths, and the srvsvc pipe on IPC$.
import { isVfsError } from '../../core/errors.ts';
import type { Stat, Vfs, VfsFile } from '../../core/vfs/types.ts';
import { BODY, sessionOf, treeOf, writeFileId, type Call } from './call.ts';
import { allocation, attributes, writeTimes } from './fscc.ts';
import { NtStatusError, Status } from './ntstatus.ts';
import { inSnapshot, snapshotOfToken, tokenOfFiletime } from './previous-versions.ts';
import { RpcPipe } from './srvsvc.ts';
import type { Open, Reply } from './state.ts';
import { baseName, parentOf, resolveCase, statOrNull, toVfsPath } from './vfs-adapter.ts';
import { Reader, Writer, WireError } from './wire.ts';

/** CreateDisposition values. */
const Disp = { SUPERSEDE: 0, OPEN: 1, CREATE: 2, OPEN_IF: 3, OVERWRITE: 4, OVERWRITE_IF: 5 } as const;
const Action = { SUPERSEDED: 0, OPENED: 1, CREATED: 2, OVERWRITTEN: 3 } as const;
/** CreateOptions bits. */
const Opt = { DIRECTORY_FILE: 0x1, NON_DIRECTORY_FILE: 0x40, DELETE_ON_CLOSE: 0x1000 } as const;
/** Access mask bits that need the file opened for writing. */
const WRITE_ACCESS = 0x2 | 0x4 | 0x40000000 | 0x10000000;
const MAXIMUM_ALLOWED = 0x02000000;
const DELETE = 0x10000;

interface CreateContext {
  name: string;
  data: Buffer;
}

function parseContexts(r: Reader, offset: number, length: number): CreateContext[] {
  const out: CreateContext[] = [];
  if (!length) return out;
  const all = new Reader(r.bytes(offset, length));
  for (let off = 0, n = 0; n < 64; n++) {
    const next = all.u32(off);
    const name = all.bytes(off + all.u16(off + 4), all.u16(off + 6)).toString('latin1');
    const data = all.bytes(off + all.u16(off + 10), all.u32(off + 12));
    out.push({ name, data });
    if (!next) return out;
    if (next % 8) throw new WireError('create context alignment');
    off += next;
  }
  throw new WireError('too many create contexts');
}

function encodeContexts(list: CreateContext[]): Buffer {
  const w = new Writer();
  list.forEach((c, i) => {
    const start = w.length;
    w.u32(0).u16(16).u16(c.name.length).u16(0).u16(24).u32(c.data.length).bytes(Buffer.from(c.name, 'latin1')).align(8, start).bytes(c.data);
    if (i < list.length - 1) {
      w.align(8);
      w.setU32(start, w.length - start);
    }
  });
  return Buffer.from(w.done());
}

/** Handles CREATE. */
export async function create(call: Call): Promise<Reply> {
  const { r, conn } = call;
  const s = sessionOf(call);
  const tree = treeOf(call);
  if (r.u16(BODY) !== 57) throw new WireError('CREATE StructureSize');
  const access = r.u32(BODY + 24);
  const disposition = r.u32(BODY + 36);
  const options = r.u32(BODY + 40);
  const rawName = r.utf16(r.u16(BODY + 44), r.u16(BODY + 46));
  const contexts = parseContexts(r, r.u32(BODY + 48), r.u32(BODY + 52));
  if (disposition > Disp.OVERWRITE_IF) throw new NtStatusError(Status.INVALID_PARAMETER, 'CreateDisposition');
  const base: Omit<Open, 'path' | 'isDir' | 'file' | 'writable' | 'pipe'> = {
    id: conn.newId(), sessionId: s.id, treeId: tree.id, access, vfs: s.vfs!, deleteOnClose: false, cursor: null, notifies: new Set(), position: 0,
  };
  if (tree.kind === 'ipc') {
    const pipe = rawName.replace(/^\\+/, '').toLowerCase();
    if (pipe !== 'srvsvc') throw new NtStatusError(Status.OBJECT_NAME_NOT_FOUND, `no pipe '${pipe}'`);
    const open: Open = { ...base, path: '/', isDir: false, file: null, writable: true, pipe: new RpcPipe(conn.config.shareName) };
    conn.opens.set(open.id, open);
    return { body: responseBody(open.id, Action.OPENED, null, '', Buffer.alloc(0)), fileId: open.id };
  }
  let { path, gmt } = toVfsPath(rawName);
  const twrp = contexts.find((c) => c.name === 'TWrp');
  if (twrp && twrp.data.length >= 8) gmt = tokenOfFiletime(twrp.data.readBigUInt64LE(0));
  if (gmt) path = inSnapshot((await snapshotOfToken(s.vfs!, gmt)).name, path);
  const open = await openPath(s.vfs!, path, access, disposition, options, base);
  conn.opens.set(open.open.id, open.open);
  const st = open.open.file ? await open.open.file.stat() : await s.vfs!.stat(open.open.path);
  const replies: CreateContext[] = [];
  if (contexts.some((c) => c.name === 'MxAc')) replies.push({ name: 'MxAc', data: Buffer.from(new Writer().u32(0).u32(st.readOnly || s.user?.readOnly ? 0x001200a9 : 0x001f01ff).done()) });
  if (contexts.some((c) => c.name === 'QFid')) replies.push({ name: 'QFid', data: Buffer.from(new Writer().u64(st.ino).u64(0).zeros(16).done()) });
  return { body: responseBody(open.open.id, open.action, st, baseName(open.open.path), encodeContexts(replies)), fileId: open.open.id };
}

async function openPath(vfs: Vfs, path: string, access: number, disposition: number, options: number, base: Omit<Open, 'path' | 'isDir' | 'file' | 'writable' | 'pipe'>): Promise<{ open: Open; action: number }> {
  let st = await statOrNull(vfs, path);
  if (!st && (disposition === Disp.OPEN || disposition === Disp.OVERWRITE)) {
    const real = await resolveCase(vfs, path);
    if (real) {
      path = real;
      st = await statOrNull(vfs, path);
    }
  }
  const wantsDir = (options & Opt.DIRECTORY_FILE) !== 0;
  const deleteOnClose = (options & Opt.DELETE_ON_CLOSE) !== 0;
  if (deleteOnClose && !(access & (DELETE | 0x10000000 | MAXIMUM_ALLOWED))) throw new NtStatusError(Status.ACCESS_DENIED, 'DELETE_ON_CLOSE without DELETE access');
  let action: number = Action.OPENED;
  let file: VfsFile | null = null;
  let writable = false;
  if (st) {
    if (disposition === Disp.CREATE) throw new NtStatusError(Status.OBJECT_NAME_COLLISION);
    if (st.kind === 'dir' && options & Opt.NON_DIRECTORY_FILE) throw new NtStatusError(Status.FILE_IS_A_DIRECTORY);
    if (st.kind !== 'dir' && wantsDir) throw new NtStatusError(Status.NOT_A_DIRECTORY);
    const overwrite = disposition === Disp.OVERWRITE || disposition === Disp.OVERWRITE_IF || disposition === Disp.SUPERSEDE;
    if (st.kind === 'dir' && overwrite) throw new NtStatusError(Status.INVALID_PARAMETER, 'cannot overwrite a directory');
    if (deleteOnClose && st.readOnly) throw new NtStatusError(Status.CANNOT_DELETE);
    if (deleteOnClose && st.kind === 'dir' && (await vfs.readdir(path, { limit: 1 })).length) throw new NtStatusError(Status.DIRECTORY_NOT_EMPTY);
    if (st.kind !== 'dir') {
      if (overwrite) action = disposition === Disp.SUPERSEDE ? Action.SUPERSEDED : Action.OVERWRITTEN;
      ({ file, writable } = await openFile(vfs, path, access, overwrite, false));
    }
  } else {
    if (disposition === Disp.OPEN || disposition === Disp.OVERWRITE) throw new NtStatusError(await missingStatus(vfs, path));
    action = Action.CREATED;
    try {
      if (wantsDir) await vfs.mkdir(path);
      else ({ file, writable } = await openFile(vfs, path, access, false, true));
    } catch (err) {
      if (isVfsError(err, 'ENOENT') || isVfsError(err, 'ENOTDIR')) throw new NtStatusError(Status.OBJECT_PATH_NOT_FOUND);
      throw err;
    }
  }
  const isDir = st ? st.kind === 'dir' : wantsDir;
  return { open: { ...base, path, isDir, file, writable, deleteOnClose, pipe: null }, action };
}

async function openFile(vfs: Vfs, path: string, access: number, truncate: boolean, create: boolean): Promise<{ file: VfsFile; writable: boolean }> {
  const write = truncate || create || (access & WRITE_ACCESS) !== 0 || (access & MAXIMUM_ALLOWED) !== 0;
  try {
    return { file: await vfs.open(path, { write, truncate, create, exclusive: create }), writable: write };
  } catch (err) {
    const denied = isVfsError(err, 'EROFS') || isVfsError(err, 'EACCES');
    if (!denied || truncate || create || access & WRITE_ACCESS) throw err;
    return { file: await vfs.open(path), writable: false };
  }
}

/** OBJECT_NAME_NOT_FOUND when the parent exists, OBJECT_PATH_NOT_FOUND when it does not. */
async function missingStatus(vfs: Vfs, path: string): Promise<number> {
  const parent = await statOrNull(vfs, parentOf(path)).catch((err) => {
    if (isVfsError(err, 'ENOTDIR')) return null;
    throw err;
  });
  return parent?.kind === 'dir' ? Status.OBJECT_NAME_NOT_FOUND : Status.OBJECT_PATH_NOT_FOUND;
}

function responseBody(id: bigint, action: number, st: Stat | null, name: string, contexts: Buffer): Buffer {
  const w = new Writer().u16(89).u8(0).u8(0).u32(action);
  if (st) {
    writeTimes(w, st);
    w.u64(allocation(st)).u64(st.kind === 'dir' ? 0 : st.size).u32(attributes(name, st)).u32(0);
  } else {
    w.zeros(32).u64(4096).u64(0).u32(0x80).u32(0);
  }
  writeFileId(w, id);
  w.u32(contexts.length ? BODY + 88 : 0).u32(contexts.length);
  if (contexts.length) w.bytes(contexts);
  else w.u8(0);
  return Buffer.from(w.done());
}
