// The server-wide table of open files: every open of a file across sessions and connections, keyed by the
// file's identity, for the share-access check ([MS-FSA] 2.1.5.1.2) and the file's delete-pending state.
import type { Stat } from '../../core/vfs/types.ts';
import type { Open } from './state.ts';
import { absolutePath, sharePath } from './watch.ts';

/** Access mask bits ([MS-SMB2] 2.2.13.1.1). */
export const Access = {
  READ_DATA: 0x1,
  WRITE_DATA: 0x2,
  APPEND_DATA: 0x4,
  EXECUTE: 0x20,
  DELETE: 0x10000,
  MAXIMUM_ALLOWED: 0x02000000,
  GENERIC_ALL: 0x10000000,
  GENERIC_EXECUTE: 0x20000000,
  GENERIC_WRITE: 0x40000000,
  GENERIC_READ: 0x80000000,
} as const;

/** ShareAccess bits. */
export const Share = { READ: 0x1, WRITE: 0x2, DELETE: 0x4 } as const;

const FILE_ALL_ACCESS = 0x001f01ff;
const FILE_GENERIC_READ = 0x00120089;
const FILE_GENERIC_WRITE = 0x00120116;
const FILE_GENERIC_EXECUTE = 0x001200a0;
/** The rights the sharing check looks at. */
const SHARED_RIGHTS = Access.READ_DATA | Access.WRITE_DATA | Access.APPEND_DATA | Access.EXECUTE | Access.DELETE;

/** The specific rights a DesiredAccess asks for (GENERIC_* and MAXIMUM_ALLOWED expanded). */
export function grantedAccess(desired: number, readOnly: boolean): number {
  let a = desired & 0x01ffffff;
  if (desired & Access.GENERIC_READ) a |= FILE_GENERIC_READ;
  if (desired & Access.GENERIC_WRITE) a |= FILE_GENERIC_WRITE;
  if (desired & Access.GENERIC_EXECUTE) a |= FILE_GENERIC_EXECUTE;
  if (desired & Access.GENERIC_ALL) a |= FILE_ALL_ACCESS;
  if (desired & Access.MAXIMUM_ALLOWED) a |= readOnly ? FILE_GENERIC_READ | FILE_GENERIC_EXECUTE : FILE_ALL_ACCESS;
  return a >>> 0;
}

/** The key of a file in the table: its inode, or its path inside a snapshot (snapshot inodes may repeat live ones). */
export function fileKeyOf(path: string, st: Stat): string {
  return path.startsWith('/.snapshots/') ? `s:${path}` : liveFileKey(st.ino);
}

/** The key of a live file in the table. */
export const liveFileKey = (ino: number): string => `i:${ino}`;

/** The rights and sharing of one open (or of one that is being made). */
export interface SharingMode {
  granted: number;
  share: number;
}

/** Whether two opens of one file exclude each other ([MS-FSA] 2.1.5.1.2, "check sharing access"). */
export function shareConflict(a: SharingMode, b: SharingMode): boolean {
  if (!(a.granted & SHARED_RIGHTS) || !(b.granted & SHARED_RIGHTS)) return false;
  const denies = (x: SharingMode, y: SharingMode) =>
    (x.granted & (Access.READ_DATA | Access.EXECUTE) && !(y.share & Share.READ)) ||
    (x.granted & (Access.WRITE_DATA | Access.APPEND_DATA) && !(y.share & Share.WRITE)) ||
    (x.granted & Access.DELETE && !(y.share & Share.DELETE));
  return Boolean(denies(a, b) || denies(b, a));
}

/** Every open of one file and whether it is to be deleted when the last one closes. */
export interface FileEntry {
  key: string;
  opens: Set<Open>;
  /** Set by FileDispositionInformation (or by closing a DELETE_ON_CLOSE open while others remain). */
  deletePending: boolean;
}

/** The opens of every file served, across connections. */
export class OpenTable {
  private readonly files = new Map<string, FileEntry>();

  /** The entry of a file, if it is open. */
  entry(key: string): FileEntry | undefined {
    return this.files.get(key);
  }

  /** The opens of `key` (other than `except`) whose sharing excludes `mode`. */
  conflicts(key: string, mode: SharingMode, except?: Open): Open[] {
    return [...(this.files.get(key)?.opens ?? [])].filter((o) => o !== except && shareConflict(o, mode));
  }

  /** Records an open under its fileKey. */
  add(open: Open): FileEntry {
    const key = open.fileKey!;
    let e = this.files.get(key);
    if (!e) this.files.set(key, (e = { key, opens: new Set(), deletePending: false }));
    e.opens.add(open);
    return e;
  }

  /** Forgets an open; returns whether the file is now to be deleted (it was the last open and a delete was pending). */
  remove(open: Open): boolean {
    const e = open.fileKey ? this.files.get(open.fileKey) : undefined;
    if (!e || !e.opens.delete(open)) return false;
    if (open.deleteOnClose) e.deletePending = true;
    if (e.opens.size) return false;
    this.files.delete(e.key);
    return e.deletePending;
  }

  /** Keeps opens on their path when another frontend renames them (or a directory above them); paths from the archive root. */
  moved(from: string, to: string): void {
    for (const o of this.all()) {
      const abs = absolutePath(o, o.path);
      if (abs !== from && !abs.startsWith(from + '/')) continue;
      const now = sharePath(o, to + abs.slice(from.length));
      if (now !== null) o.path = now;
    }
  }

  /** Every open of every file. */
  *all(): Iterable<Open> {
    for (const e of this.files.values()) yield* e.opens;
  }
}
