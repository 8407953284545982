// CHANGE_NOTIFY watches ([MS-SMB2] 3.3.5.19, [MS-FSCC] 2.4.42): changes made through this server (reported by
// its handlers) and through every other frontend (the Vfs change feed) are matched against every watched
// directory (WATCH_TREE: its subtree too), buffered on the watch, and delivered as FILE_NOTIFY_INFORMATION
// entries to its pending CHANGE_NOTIFY, or STATUS_NOTIFY_ENUM_DIR on overflow.
import type { VfsChange } from '../../core/vfs/types.ts';
import { completeAsync } from './dispatcher.ts';
import { NtStatusError, Status } from './ntstatus.ts';
import type { Open } from './state.ts';
import { parentOf, toSmbName } from './vfs-adapter.ts';
import { utf16, Writer } from './wire.ts';

/** FILE_ACTION_* values. */
export const NotifyAction = { ADDED: 1, REMOVED: 2, MODIFIED: 3, RENAMED_OLD_NAME: 4, RENAMED_NEW_NAME: 5 } as const;
/** FILE_NOTIFY_CHANGE_* completion filter bits. */
export const NotifyFilter = { FILE_NAME: 0x1, DIR_NAME: 0x2, ATTRIBUTES: 0x4, SIZE: 0x8, LAST_WRITE: 0x10, LAST_ACCESS: 0x20, CREATION: 0x40, EA: 0x80 } as const;

/** Most changes one watch buffers before it reports an overflow. */
const MAX_BUFFERED = 1024;

/** One change: the absolute path (from the archive root), what happened, and which filter bits it matches. */
interface Change {
  abs: string;
  action: number;
  filter: number;
}

/** A pending CHANGE_NOTIFY of a watch. */
interface Waiting {
  asyncId: bigint;
  maxOutput: number;
}

/** The watch of one directory open. */
export interface Watch {
  open: Open;
  /** The directory's absolute path. */
  dir: string;
  filter: number;
  tree: boolean;
  changes: Change[];
  overflow: boolean;
  waiting: Waiting[];
  scheduled: boolean;
}

/** The absolute path (from the archive root) of a share path of `open`'s user (homes are jails). */
export function absolutePath(open: Open, path: string): string {
  const home = open.conn.sessions.get(open.sessionId)?.user?.home ?? '/';
  if (home === '/' || home === '') return path;
  return path === '/' ? home : home.replace(/\/$/, '') + path;
}

/** The share path of an absolute path for `open`'s user, or null when it lies outside their home. */
export function sharePath(open: Open, abs: string): string | null {
  const home = (open.conn.sessions.get(open.sessionId)?.user?.home ?? '/').replace(/\/$/, '');
  if (home === '') return abs;
  if (abs === home) return '/';
  return abs.startsWith(home + '/') ? abs.slice(home.length) : null;
}

/** Every watch of the server. */
export class Watchers {
  private readonly watches = new Set<Watch>();

  /** The watch of a directory open, created by its first CHANGE_NOTIFY (whose filter and WATCH_TREE stay until the close, as Windows does). */
  watchOf(open: Open, filter: number, tree: boolean): Watch {
    if (!open.watch) {
      open.watch = { open, dir: absolutePath(open, open.path), filter, tree, changes: [], overflow: false, waiting: [], scheduled: false };
      this.watches.add(open.watch);
    }
    return open.watch;
  }

  /** Ends a closed open's watch: its pending requests complete with STATUS_NOTIFY_CLEANUP. */
  closed(open: Open): void {
    const w = open.watch;
    if (!w) return;
    this.watches.delete(w);
    open.watch = null;
    for (const p of w.waiting.splice(0)) {
      const a = open.conn.pending.get(p.asyncId);
      if (a) completeAsync(open.conn, a, Status.NOTIFY_CLEANUP, emptyBody());
    }
  }

  /** Records a change made through `actor` to `path` (a share path of the actor's user). */
  changed(actor: Open, path: string, action: number, filter: number): void {
    if (this.watches.size) this.record(absolutePath(actor, path), action, filter);
  }

  /** Records a change another frontend made (from the Vfs change feed, paths from the archive root). */
  vfsChanged(c: VfsChange): void {
    if (c.action === 'renamed' && c.from !== undefined) this.moved(c.from, c.path);
    if (!this.watches.size) return;
    const names = c.kind === 'dir' ? NotifyFilter.DIR_NAME : NotifyFilter.FILE_NAME;
    switch (c.action) {
      case 'added': return this.record(c.path, NotifyAction.ADDED, names);
      case 'removed': return this.record(c.path, NotifyAction.REMOVED, names);
      case 'renamed': {
        const from = c.from ?? c.path;
        const sameDir = parentOf(from) === parentOf(c.path);
        this.record(from, sameDir ? NotifyAction.RENAMED_OLD_NAME : NotifyAction.REMOVED, names);
        return this.record(c.path, sameDir ? NotifyAction.RENAMED_NEW_NAME : NotifyAction.ADDED, names);
      }
      case 'modified': {
        let filter = c.content ? NotifyFilter.SIZE | NotifyFilter.LAST_WRITE : 0;
        if (c.attributes) filter |= c.op === 'xattr' ? NotifyFilter.EA : NotifyFilter.ATTRIBUTES | NotifyFilter.LAST_WRITE | NotifyFilter.LAST_ACCESS;
        return this.record(c.path, NotifyAction.MODIFIED, filter);
      }
    }
  }

  /** Keeps watched directories on their path when another frontend renames them (or a directory above them). */
  private moved(from: string, to: string): void {
    for (const w of this.watches) if (w.dir === from || w.dir.startsWith(from + '/')) w.dir = to + w.dir.slice(from.length);
  }

  /** Buffers a change of `abs` (a path from the archive root) on every watch it concerns. */
  private record(abs: string, action: number, filter: number): void {
    const parent = parentOf(abs);
    for (const w of this.watches) {
      if (!(w.filter & filter)) continue;
      const inside = parent === w.dir || (w.tree && (w.dir === '/' ? abs !== '/' : abs.startsWith(w.dir + '/')));
      if (!inside) continue;
      const last = w.changes[w.changes.length - 1];
      if (last && last.abs === abs && last.action === action && action === NotifyAction.MODIFIED) continue;
      if (w.changes.length >= MAX_BUFFERED) w.overflow = true;
      else w.changes.push({ abs, action, filter });
      this.schedule(w);
    }
  }

  /** Answers a CHANGE_NOTIFY at once when the watch holds changes; null when it must pend. */
  take(w: Watch, maxOutput: number): { status: number; body: Buffer } | null {
    if (!w.changes.length && !w.overflow) return null;
    return drain(w, maxOutput);
  }

  private schedule(w: Watch): void {
    if (w.scheduled || !w.waiting.length) return;
    w.scheduled = true;
    setImmediate(() => {
      w.scheduled = false;
      const p = w.waiting.shift();
      if (!p) return;
      const a = w.open.conn.pending.get(p.asyncId);
      if (!a) return this.schedule(w);
      const { status, body } = drain(w, p.maxOutput);
      completeAsync(w.open.conn, a, status, body);
    });
  }
}

/** The empty CHANGE_NOTIFY response body. */
export function emptyBody(): Buffer {
  return Buffer.from(new Writer().u16(9).u16(0).u32(0).u8(0).done());
}

/** Encodes and clears the watch's changes (NOTIFY_ENUM_DIR when they overflowed or do not fit `maxOutput`). */
function drain(w: Watch, maxOutput: number): { status: number; body: Buffer } {
  const changes = w.changes.splice(0);
  const overflow = w.overflow;
  w.overflow = false;
  if (overflow) return { status: Status.NOTIFY_ENUM_DIR, body: emptyBody() };
  const out = new Writer();
  let last = -1;
  for (const c of changes) {
    const rel = c.abs.slice(w.dir === '/' ? 1 : w.dir.length + 1);
    const name = utf16(toSmbName(rel));
    out.align(4);
    if (last >= 0) out.setU32(last, out.length - last);
    last = out.length;
    out.u32(0).u32(c.action).u32(name.length).bytes(name);
  }
  const data = Buffer.from(out.done());
  if (data.length > maxOutput) return { status: Status.NOTIFY_ENUM_DIR, body: emptyBody() };
  return { status: Status.SUCCESS, body: Buffer.concat([Buffer.from(new Writer().u16(9).u16(72).u32(data.length).done()), data]) };
}

/** Queues a pending CHANGE_NOTIFY on a watch. */
export function waitOn(w: Watch, asyncId: bigint, maxOutput: number): void {
  if (w.waiting.length >= 64) throw new NtStatusError(Status.INSUFFICIENT_RESOURCES);
  w.waiting.push({ asyncId, maxOutput });
}
