// Builds Stat records from inodes (live or snapshot) for every frontend.
import type { Inode } from '../meta/inode.ts';
import type { PendingAttrs } from './open-file.ts';
import type { Stat } from './types.ts';

/** What an open file has not committed yet: its size, its writes' mtime and attributes set meanwhile. */
export interface PendingState {
  size: number;
  mtime: bigint | null;
  attrs: PendingAttrs;
}

/** The Stat of inode `ino`, with the unflushed state of an open file over it. */
export function statOf(ino: number, node: Inode, readOnly: boolean, pending?: PendingState): Stat {
  const mtime = pending?.mtime ?? node.mtime;
  const mode = pending?.attrs.mode !== undefined ? pending.attrs.mode & 0o7777 : node.mode;
  return {
    ino,
    kind: node.kind,
    mode: readOnly ? mode & ~0o222 : mode,
    uid: pending?.attrs.uid ?? node.uid,
    gid: pending?.attrs.gid ?? node.gid,
    size: pending ? pending.size : node.size,
    nlink: 1,
    atimeNs: pending?.attrs.atimeNs ?? node.atime,
    mtimeNs: mtime,
    ctimeNs: pending?.mtime && pending.mtime > node.ctime ? pending.mtime : node.ctime,
    btimeNs: node.btime,
    readOnly,
    hasXattrs: node.xattrs !== undefined && Object.keys(node.xattrs).length > 0,
  };
}
