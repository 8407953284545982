// The Vfs interface: the one face core shows to every frontend (FUSE, WebDAV, FTP, SMB).
// Paths are POSIX-style strings from the share root; core normalises them. Errors are VfsError.
import type { InodeKind } from '../meta/inode.ts';

/** Attributes of one entry (lstat semantics: symlinks are not followed). */
export interface Stat {
  /** Stable inode number: the same for the life of the entry, across renames. */
  ino: number;
  kind: InodeKind;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  nlink: number;
  /** Times in nanoseconds since the epoch. */
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  btimeNs: bigint;
  /** True inside /.snapshots (and for the /.snapshots directory itself). */
  readOnly: boolean;
  /** False when the entry certainly has no extended attributes (a listing can skip asking for them). */
  hasXattrs?: boolean;
  /**
   * True when only a change published on the watch feed can alter this stat: a live entry with no open
   * handle and no pending create. A frontend may cache such a stat until `watch` reports its path.
   */
  settled?: boolean;
}

/** One entry of a directory listing. */
export interface DirEntry {
  name: string;
  stat: Stat;
}

/** How to open a file. `create` with `exclusive` fails with EEXIST when it exists. */
export interface OpenFlags {
  write?: boolean;
  create?: boolean;
  exclusive?: boolean;
  truncate?: boolean;
  append?: boolean;
  /** Permission bits for a created file (default 0o644). */
  mode?: number;
  /**
   * With `create`, for a file that does not exist yet: answer at once and write the new entry with the
   * file's first flush (or when another call concerns its path; stat sees it meanwhile from memory).
   * That flush fails if creating it failed; an unlink before it drops the entry unwritten. For
   * callers that do not use the handle's `ino` before that (the mount).
   */
  deferCreate?: boolean;
}

/** Attribute changes; absent fields stay as they are. `size` truncates or extends with zeros. */
export interface SetAttr {
  mode?: number;
  uid?: number;
  gid?: number;
  atimeNs?: bigint;
  mtimeNs?: bigint;
  size?: number;
}

/** Filesystem-wide figures (statfs). */
export interface StatFs {
  blockSize: number;
  blocks: number;
  blocksFree: number;
  blocksAvail: number;
  files: number;
  filesFree: number;
  nameMax: number;
}

/**
 * An open file. Contract: writes are visible at once to every handle of the same file in this
 * process; they become durable and visible to other processes when `flush`, `fsync` or `close`
 * resolves. After `close` every other call fails with EBADF.
 */
export interface VfsFile {
  readonly path: string;
  readonly ino: number;
  read(offset: number, length: number): Promise<Buffer>;
  /** The bytes `read` would return, as pieces in order (no copy joins them); callers must not modify them. */
  readParts(offset: number, length: number): Promise<Buffer[]>;
  /** Writes `data` at `offset` (at the end when opened with `append`); returns bytes written. Keeps no reference to `data` once settled. */
  write(offset: number, data: Uint8Array): Promise<number>;
  truncate(size: number): Promise<void>;
  stat(): Promise<Stat>;
  flush(): Promise<void>;
  fsync(): Promise<void>;
  close(): Promise<void>;
}

/** A snapshot as frontends list it. */
export interface SnapshotEntry {
  name: string;
  id: string;
  time: Date;
}

/** Paging for huge directories: names strictly after `after`, at most `limit`. */
export interface ReaddirOptions {
  after?: string;
  limit?: number;
}

/** The filesystem every frontend serves. All methods reject with VfsError. */
export interface Vfs {
  stat(path: string): Promise<Stat>;
  readdir(path: string, opts?: ReaddirOptions): Promise<DirEntry[]>;
  open(path: string, flags?: OpenFlags): Promise<VfsFile>;
  /** Replaces (or creates) `path` with the bytes of `source`, chunked as they arrive; visible atomically when it resolves. */
  writeFile(path: string, source: AsyncIterable<Uint8Array> | Uint8Array, opts?: { mode?: number; mtimeNs?: bigint; exclusive?: boolean }): Promise<Stat>;
  mkdir(path: string, mode?: number): Promise<Stat>;
  unlink(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  /** Atomically renames; replaces an existing file or empty directory unless `noReplace`. */
  rename(from: string, to: string, opts?: { noReplace?: boolean }): Promise<void>;
  symlink(target: string, path: string): Promise<Stat>;
  readlink(path: string): Promise<string>;
  setattr(path: string, attrs: SetAttr): Promise<Stat>;
  statfs(): Promise<StatFs>;
  getxattr(path: string, name: string): Promise<Buffer>;
  setxattr(path: string, name: string, value: Buffer, flags?: { create?: boolean; replace?: boolean }): Promise<void>;
  listxattr(path: string): Promise<string[]>;
  removexattr(path: string, name: string): Promise<void>;
  /** Snapshots, oldest first (also listed as /.snapshots). */
  snapshots(): Promise<SnapshotEntry[]>;
  /**
   * Calls `listener` after each successful mutation, through any view of this Vfs, with paths as this
   * view sees them (changes outside it are dropped); returns the function that stops it. A listener must
   * not throw (it is caught and logged) and should be quick: it runs before the mutating call resolves.
   */
  watch(listener: VfsChangeListener): () => void;
}

/** The Vfs operation behind a change. */
export type VfsChangeOp = 'create' | 'write' | 'truncate' | 'mkdir' | 'unlink' | 'rmdir' | 'rename' | 'symlink' | 'setattr' | 'xattr' | 'snapshot';

/**
 * One committed change of the tree. `action` is what happened to the entry at `path`: added, removed,
 * renamed (from `from`) or modified; `name`, `content` and `attributes` say which aspects changed.
 */
export interface VfsChange {
  action: 'added' | 'removed' | 'renamed' | 'modified';
  op: VfsChangeOp;
  /** Absolute path of the entry (its new path after a rename; `/.snapshots/NAME` for a snapshot). */
  path: string;
  /** A rename's old path. */
  from?: string;
  kind: InodeKind;
  /** The live entry's inode number (absent for snapshots). */
  ino?: number;
  /** A rename that replaced an existing entry: that entry's inode number. */
  replacedIno?: number;
  name: boolean;
  content: boolean;
  attributes: boolean;
  /** The origin tag of the Vfs view that made the change, if it had one (see changes.ts `withOrigin`). */
  origin?: string;
}

/** Receives changes (see `Vfs.watch`). */
export type VfsChangeListener = (change: VfsChange) => void;

/** The virtual directory holding one read-only tree per snapshot. */
export const SNAPSHOTS_DIR = '.snapshots';
