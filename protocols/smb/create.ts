// CREATE ([MS-SMB2] 3.3.5.9): dispositions, DIRECTORY/NON_DIRECTORY/DELETE_ON_CLOSE options, share modes
// and delete-pending against the server's other opens, oplocks and leases (RqLs v1/v2; breaks first), create
// contexts (MxAc and QFid answered, TWrp opens a snapshot, others ignored), @GMT paths, the srvsvc pipe.
import { isVfsError } from '../../core/errors.ts';
import type { Stat, Vfs, VfsFile } from '../../core/vfs/types.ts';
import { BODY, sessionOf, treeOf, writeFileId, type Call } from './call.ts';
import { allocation, attributes, writeTimes } from './fscc.ts';
import { errorBody } from './header.ts';
import { NtStatusError, Status } from './ntstatus.ts';
import { fileKeyOf, grantedAccess } from './open-table.ts';
import { isStatOpen, leaseResponse, Oplock, parseLeaseRequest, type LeaseRequest } from './oplock.ts';
import { inSnapshot, snapshotOfToken, tokenOfFiletime } from './previous-versions.ts';
import { RpcPipe } from './srvsvc.ts';
import type { Open, Reply } from './state.ts';
import { baseName, ownVfs, parentOf, resolveCase, statOrNull, toVfsPath } from './vfs-adapter.ts';
import { NotifyAction, NotifyFilter } from './watch.ts';
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

/** Everything a CREATE needs once parsed, kept while it waits for oplock or lease breaks. */
interface CreateJob {
  call: Call;
  vfs: Vfs;
  path: string;
  access: number;
  share: number;
  disposition: number;
  options: number;
  oplockLevel: number;
  lease: LeaseRequest | null;
  leaseId: string | null;
  contexts: CreateContext[];
  readOnlyUser: boolean;
}

/** Handles CREATE: waits (async, after an interim STATUS_PENDING) when other opens' oplocks or leases must break first. */
export async function create(call: Call): Promise<Reply> {
  const { r, conn } = call;
  const s = sessionOf(call);
  const tree = treeOf(call);
  if (r.u16(BODY) !== 57) throw new WireError('CREATE StructureSize');
  const oplockLevel = r.u8(BODY + 3);
  const access = r.u32(BODY + 24);
  const share = r.u32(BODY + 32);
  const disposition = r.u32(BODY + 36);
  const options = r.u32(BODY + 40);
  const rawName = r.utf16(r.u16(BODY + 44), r.u16(BODY + 46));
  const contexts = parseContexts(r, r.u32(BODY + 48), r.u32(BODY + 52));
  if (disposition > Disp.OVERWRITE_IF) throw new NtStatusError(Status.INVALID_PARAMETER, 'CreateDisposition');
  if (tree.kind === 'ipc') {
    const pipe = rawName.replace(/^\\+/, '').toLowerCase();
    if (pipe !== 'srvsvc') throw new NtStatusError(Status.OBJECT_NAME_NOT_FOUND, `no pipe '${pipe}'`);
    const open: Open = { ...newOpen(call, access, share), path: '/', pipe: new RpcPipe(conn.config.shareName), writable: true };
    conn.opens.set(open.id, open);
    return { body: responseBody(open.id, Action.OPENED, null, '', Buffer.alloc(0), 0), fileId: open.id };
  }
  let { path, gmt } = toVfsPath(rawName);
  const twrp = contexts.find((c) => c.name === 'TWrp');
  if (twrp && twrp.data.length >= 8) gmt = tokenOfFiletime(twrp.data.readBigUInt64LE(0));
  if (gmt) path = inSnapshot((await snapshotOfToken(s.vfs!, gmt)).name, path);
  const rqls = contexts.find((c) => c.name === 'RqLs');
  const lease = oplockLevel === Oplock.LEASE && rqls && conn.dialect >= 0x0210 ? parseLeaseRequest(rqls.data, conn.dialect >= 0x0300) : null;
  const job: CreateJob = {
    call, vfs: ownVfs(conn.config, s.vfs!), path, access, share, disposition, options, oplockLevel, lease, contexts,
    leaseId: lease ? conn.clientGuid.toString('hex') + lease.key.toString('hex') : null,
    readOnlyUser: s.user?.readOnly ?? false,
  };
  let waits = await startBreaks(job);
  if (!waits.length) return finish(job);
  return {
    status: Status.PENDING,
    asyncId: conn.newId(),
    body: errorBody(),
    later: async () => {
      for (let round = 0; waits.length && round < 8; round++) {
        await Promise.all(waits);
        waits = await startBreaks(job);
      }
      return finish(job);
    },
  };
}

/** An Open of the calling session with no file yet. */
function newOpen(call: Call, access: number, share: number): Open {
  const s = sessionOf(call);
  return {
    id: call.conn.newId(), conn: call.conn, sessionId: s.id, treeId: treeOf(call).id, path: '/', isDir: false, access, granted: grantedAccess(access, false), share,
    fileKey: null, oplock: Oplock.NONE, oplockBreak: null, lease: null, watch: null, file: null, writable: false, vfs: ownVfs(call.conn.config, s.vfs!), deleteOnClose: false,
    cursor: null, pipe: null, position: 0,
  };
}

/** Starts the breaks the open needs before its sharing check; returns what to wait for (nothing: go on). */
async function startBreaks(job: CreateJob): Promise<Promise<void>[]> {
  if (job.disposition === Disp.CREATE) return [];
  const found = await existing(job.vfs, job.path, job.disposition);
  if (!found) return [];
  const { opens, oplocks } = job.call.conn.config;
  const key = fileKeyOf(found.path, found.st);
  const entry = opens.entry(key);
  if (!entry || entry.deletePending) return [];
  const mode = { granted: grantedAccess(job.access, found.st.readOnly || job.readOnlyUser), share: job.share };
  const overwrite = job.disposition === Disp.OVERWRITE || job.disposition === Disp.OVERWRITE_IF || job.disposition === Disp.SUPERSEDE;
  return oplocks.breaksFor(entry, { leaseId: job.leaseId, overwrite, statOpen: isStatOpen(mode.granted) }, opens.conflicts(key, mode));
}

/** Makes the open: sharing check, the Vfs open, the oplock or lease grant, and the response. */
async function finish(job: CreateJob): Promise<Reply> {
  const { call } = job;
  const { conn } = call;
  const { opens, oplocks, watchers } = conn.config;
  if (job.leaseId) {
    const held = oplocks.lease(job.leaseId);
    if (held && held.opens.size) {
      const st = await statOrNull(job.vfs, job.path);
      if (!st || fileKeyOf(job.path, st) !== held.fileKey) throw new NtStatusError(Status.INVALID_PARAMETER, 'lease key in use for another file');
    }
  }
  const open = newOpen(call, job.access, job.share);
  const action = await openPath(job, open);
  conn.opens.set(open.id, open);
  const entry = opens.entry(open.fileKey!)!;
  oplocks.grant(open, entry, job.lease ? Oplock.LEASE : job.oplockLevel === Oplock.LEASE ? Oplock.NONE : job.oplockLevel, job.lease, job.leaseId, action === Action.OVERWRITTEN || action === Action.SUPERSEDED);
  const kind = open.isDir ? NotifyFilter.DIR_NAME : NotifyFilter.FILE_NAME;
  if (action === Action.CREATED) watchers.changed(open, open.path, NotifyAction.ADDED, kind);
  else if (action !== Action.OPENED) watchers.changed(open, open.path, NotifyAction.MODIFIED, NotifyFilter.SIZE | NotifyFilter.LAST_WRITE);
  const st = open.file ? await open.file.stat() : await open.vfs.stat(open.path);
  const s = sessionOf(call);
  const replies: CreateContext[] = [];
  if (job.contexts.some((c) => c.name === 'MxAc')) replies.push({ name: 'MxAc', data: Buffer.from(new Writer().u32(0).u32(st.readOnly || s.user?.readOnly ? 0x001200a9 : 0x001f01ff).done()) });
  if (job.contexts.some((c) => c.name === 'QFid')) replies.push({ name: 'QFid', data: Buffer.from(new Writer().u64(st.ino).u64(0).zeros(16).done()) });
  if (open.lease) replies.push({ name: 'RqLs', data: leaseResponse(open.lease) });
  return { body: responseBody(open.id, action, st, baseName(open.path), encodeContexts(replies), open.oplock), fileId: open.id };
}

/** The existing entry a CREATE names (falling back to a case-insensitive match for OPEN/OVERWRITE), or null. */
async function existing(vfs: Vfs, path: string, disposition: number): Promise<{ path: string; st: Stat } | null> {
  const st = await statOrNull(vfs, path);
  if (st) return { path, st };
  if (disposition !== Disp.OPEN && disposition !== Disp.OVERWRITE) return null;
  const real = await resolveCase(vfs, path);
  const rst = real ? await statOrNull(vfs, real) : null;
  return real && rst ? { path: real, st: rst } : null;
}

/** Registers `open` in the open table after the delete-pending and sharing checks, or fails. */
function admit(open: Open, path: string, st: Stat, readOnly: boolean): void {
  const { opens } = open.conn.config;
  open.path = path;
  open.fileKey = fileKeyOf(path, st);
  open.granted = grantedAccess(open.access, st.readOnly || readOnly);
  if (opens.entry(open.fileKey)?.deletePending) throw new NtStatusError(Status.DELETE_PENDING);
  if (opens.conflicts(open.fileKey, open).length) throw new NtStatusError(Status.SHARING_VIOLATION);
  opens.add(open);
}

/** Opens or creates the entry and fills in `open`; it is in the open table once this resolves. */
async function openPath(job: CreateJob, open: Open): Promise<number> {
  const { vfs, access, disposition, options } = job;
  const found = await existing(vfs, job.path, disposition);
  const st = found?.st ?? null;
  const path = found?.path ?? job.path;
  const wantsDir = (options & Opt.DIRECTORY_FILE) !== 0;
  const deleteOnClose = (options & Opt.DELETE_ON_CLOSE) !== 0;
  if (deleteOnClose && !(access & (DELETE | 0x10000000 | MAXIMUM_ALLOWED))) throw new NtStatusError(Status.ACCESS_DENIED, 'DELETE_ON_CLOSE without DELETE access');
  let action: number = Action.OPENED;
  try {
    if (st) {
      if (disposition === Disp.CREATE) throw new NtStatusError(Status.OBJECT_NAME_COLLISION);
      if (st.kind === 'dir' && options & Opt.NON_DIRECTORY_FILE) throw new NtStatusError(Status.FILE_IS_A_DIRECTORY);
      if (st.kind !== 'dir' && wantsDir) throw new NtStatusError(Status.NOT_A_DIRECTORY);
      const overwrite = disposition === Disp.OVERWRITE || disposition === Disp.OVERWRITE_IF || disposition === Disp.SUPERSEDE;
      if (st.kind === 'dir' && overwrite) throw new NtStatusError(Status.INVALID_PARAMETER, 'cannot overwrite a directory');
      if (deleteOnClose && st.readOnly) throw new NtStatusError(Status.CANNOT_DELETE);
      if (deleteOnClose && st.kind === 'dir' && (await vfs.readdir(path, { limit: 1 })).length) throw new NtStatusError(Status.DIRECTORY_NOT_EMPTY);
      admit(open, path, st, job.readOnlyUser);
      open.isDir = st.kind === 'dir';
      if (!open.isDir) {
        if (overwrite) action = disposition === Disp.SUPERSEDE ? Action.SUPERSEDED : Action.OVERWRITTEN;
        Object.assign(open, await openFile(vfs, path, access, overwrite, false));
      }
    } else {
      if (disposition === Disp.OPEN || disposition === Disp.OVERWRITE) throw new NtStatusError(await missingStatus(vfs, path));
      action = Action.CREATED;
      try {
        if (wantsDir) await vfs.mkdir(path);
        else Object.assign(open, await openFile(vfs, path, access, false, true));
      } catch (err) {
        if (isVfsError(err, 'ENOENT') || isVfsError(err, 'ENOTDIR')) throw new NtStatusError(Status.OBJECT_PATH_NOT_FOUND);
        throw err;
      }
      open.isDir = wantsDir;
      admit(open, path, open.file ? await open.file.stat() : await vfs.stat(path), job.readOnlyUser);
    }
  } catch (err) {
    if (open.fileKey) open.conn.config.opens.remove(open);
    await open.file?.close().catch(() => undefined);
    throw err;
  }
  open.deleteOnClose = deleteOnClose;
  return action;
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

function responseBody(id: bigint, action: number, st: Stat | null, name: string, contexts: Buffer, oplock: number): Buffer {
  const w = new Writer().u16(89).u8(oplock).u8(0).u32(action);
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
