// Builds Stat records from inodes (live or snapshot) for every frontend.
import type { Inode } from '../meta/inode.ts';
import type { Stat } from './types.ts';

/** The Stat of inode `ino`; `size`/`mtimeNs` overrides come from unflushed writes. */
export function statOf(ino: number, node: Inode, readOnly: boolean, pending?: { size: number; mtime: bigint | null }): Stat {
  const mtime = pending?.mtime ?? node.mtime;
  return {
    ino,
    kind: node.kind,
    mode: readOnly ? node.mode & ~0o222 : node.mode,
    uid: node.uid,
    gid: node.gid,
    size: pending ? pending.size : node.size,
    nlink: 1,
    atimeNs: node.atime,
    mtimeNs: mtime,
    ctimeNs: pending?.mtime && pending.mtime > node.ctime ? pending.mtime : node.ctime,
    btimeNs: node.btime,
    readOnly,
    hasXattrs: node.xattrs !== undefined && Object.keys(node.xattrs).length > 0,
  };
}
