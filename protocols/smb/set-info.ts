// SET_INFO ([MS-SMB2] 3.3.5.21): rename, disposition (delete pending), end-of-file, allocation, basic
// (times), position, mode (breaking other opens' caching, notifying watchers); security descriptors are
// accepted and not stored (every file shows a fixed one).
import { isVfsError } from '../../core/errors.ts';
import { BODY, openAt, type Call } from './call.ts';
import { fromFiletime } from './fscc.ts';
import { NtStatusError, Status } from './ntstatus.ts';
import type { Open, Reply } from './state.ts';
import { Access } from './open-table.ts';
import { parentOf, statOrNull, toVfsPath } from './vfs-adapter.ts';
import { NotifyAction, NotifyFilter } from './watch.ts';
import { MAX_FILE_SIZE } from './write.ts';
import { Reader, WireError } from './wire.ts';

const InfoType = { FILE: 1, SECURITY: 3 } as const;
const NO_CHANGE = new Set([0n, 0xffffffffffffffffn, 0xfffffffffffffffen]);

async function rename(open: Open, b: Reader): Promise<void> {
  const { opens, oplocks, watchers } = open.conn.config;
  const replace = b.u8(0) !== 0;
  const target = toVfsPath(b.utf16(20, b.u32(16)));
  if (target.gmt) throw new NtStatusError(Status.MEDIA_WRITE_PROTECTED);
  if (target.path === open.path) return;
  const existing = await statOrNull(open.vfs, target.path);
  if (existing && !replace) throw new NtStatusError(Status.OBJECT_NAME_COLLISION);
  if (existing?.kind === 'dir') throw new NtStatusError(Status.ACCESS_DENIED, 'cannot replace a directory');
  if (open.isDir && [...opens.all()].some((o) => o.vfs === open.vfs && o.path.startsWith(open.path + '/'))) throw new NtStatusError(Status.ACCESS_DENIED, 'a file below the directory is open');
  const entry = open.fileKey ? opens.entry(open.fileKey) : undefined;
  oplocks.breakHandles(entry, open);
  try {
    await open.vfs.rename(open.path, target.path, { noReplace: !replace });
  } catch (err) {
    if (isVfsError(err, 'ENOENT')) throw new NtStatusError(Status.OBJECT_PATH_NOT_FOUND);
    throw err;
  }
  const from = open.path;
  for (const o of entry?.opens ?? [open]) if (o.path === from) o.path = target.path;
  const kind = open.isDir ? NotifyFilter.DIR_NAME : NotifyFilter.FILE_NAME;
  if (parentOf(from) === parentOf(target.path)) {
    watchers.changed(open, from, NotifyAction.RENAMED_OLD_NAME, kind);
    watchers.changed(open, target.path, NotifyAction.RENAMED_NEW_NAME, kind);
  } else {
    watchers.changed(open, from, NotifyAction.REMOVED, kind);
    watchers.changed(open, target.path, NotifyAction.ADDED, kind);
  }
}

async function disposition(open: Open, del: boolean): Promise<void> {
  if (!(open.granted & Access.DELETE)) throw new NtStatusError(Status.ACCESS_DENIED, 'not opened with DELETE access');
  const entry = open.fileKey ? open.conn.config.opens.entry(open.fileKey) : undefined;
  if (del) {
    const st = await open.vfs.stat(open.path);
    if (st.readOnly) throw new NtStatusError(Status.CANNOT_DELETE);
    if (open.path === '/') throw new NtStatusError(Status.ACCESS_DENIED);
    if (open.isDir && (await open.vfs.readdir(open.path, { limit: 1 })).length) throw new NtStatusError(Status.DIRECTORY_NOT_EMPTY);
  }
  open.deleteOnClose = del;
  if (entry) entry.deletePending = del;
  if (del) open.conn.config.oplocks.breakHandles(entry, open);
}

async function setSize(open: Open, size: number): Promise<void> {
  if (open.isDir) throw new NtStatusError(Status.INVALID_PARAMETER);
  if (size > MAX_FILE_SIZE) throw new NtStatusError(Status.DISK_FULL, 'beyond the largest file size');
  if (open.file && open.writable) await open.file.truncate(size);
  else await open.vfs.setattr(open.path, { size });
  changedContent(open, NotifyFilter.SIZE | NotifyFilter.LAST_WRITE);
}

/** Breaks other opens' read caching and notifies watchers after the file's content changed through `open`. */
export function changedContent(open: Open, filter: number): void {
  const { opens, oplocks, watchers } = open.conn.config;
  if (open.fileKey) oplocks.breakForWrite(opens.entry(open.fileKey), open);
  watchers.changed(open, open.path, NotifyAction.MODIFIED, filter);
}

async function setFileInfo(open: Open, cls: number, b: Reader): Promise<void> {
  switch (cls) {
    case 4: {
      const atime = b.u64(8);
      const mtime = b.u64(16);
      const attrs: { atimeNs?: bigint; mtimeNs?: bigint } = {};
      if (!NO_CHANGE.has(atime)) attrs.atimeNs = fromFiletime(atime);
      if (!NO_CHANGE.has(mtime)) attrs.mtimeNs = fromFiletime(mtime);
      if (attrs.atimeNs !== undefined || attrs.mtimeNs !== undefined) {
        if (open.file && open.writable) await open.file.flush();
        await open.vfs.setattr(open.path, attrs);
        open.conn.config.watchers.changed(open, open.path, NotifyAction.MODIFIED, NotifyFilter.LAST_WRITE | NotifyFilter.LAST_ACCESS);
      }
      if (b.buf.length >= 36 && b.u32(32) !== 0) open.conn.config.watchers.changed(open, open.path, NotifyAction.MODIFIED, NotifyFilter.ATTRIBUTES);
      return;
    }
    case 10: return rename(open, b);
    case 13: return disposition(open, b.u8(0) !== 0);
    case 64: return disposition(open, (b.u32(0) & 1) !== 0);
    case 14: open.position = b.num64(0); return;
    case 16: b.u32(0); return;
    case 19: {
      const alloc = b.num64(0);
      const st = open.file ? await open.file.stat() : await open.vfs.stat(open.path);
      if (alloc < st.size) await setSize(open, alloc);
      else changedContent(open, NotifyFilter.SIZE);
      return;
    }
    case 20: return setSize(open, b.num64(0));
    default: throw new NtStatusError(Status.INVALID_INFO_CLASS);
  }
}

/** Handles SET_INFO. */
export async function setInfo(call: Call): Promise<Reply> {
  const { r } = call;
  if (r.u16(BODY) !== 33) throw new WireError('SET_INFO StructureSize');
  const type = r.u8(BODY + 2);
  const cls = r.u8(BODY + 3);
  const buf = new Reader(r.bytes(r.u16(BODY + 8), r.u32(BODY + 4)));
  const open = openAt(call, BODY + 16);
  if (open.pipe) throw new NtStatusError(Status.INVALID_PARAMETER);
  if (type === InfoType.FILE) await setFileInfo(open, cls, buf);
  else if (type !== InfoType.SECURITY) throw new NtStatusError(Status.INVALID_INFO_CLASS);
  return { body: Buffer.from([2, 0]) };
}
