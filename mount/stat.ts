// Vfs Stat and StatFs records in the shapes fuse-native hands to the kernel.
import type { Stat, StatFs } from '../core/vfs/types.ts';
import { CACHEABLE_DEV } from './attr-cache.ts';

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const TYPE_BITS = { file: S_IFREG, dir: S_IFDIR, symlink: S_IFLNK } as const;

/** The stat fields fuse-native reads (times in milliseconds: its wire format has no finer resolution). */
export interface FuseStat {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  nlink: number;
  ino: number;
  blksize: number;
  blocks: number;
  atime: number;
  mtime: number;
  ctime: number;
  /** CACHEABLE_DEV when the stat is settled (see attr-cache.ts); the kernel never sees st_dev. */
  dev?: number;
}

const msOf = (ns: bigint): number => Number(ns / 1_000_000n);

/** A Vfs Stat as FUSE attributes; the inode number is truncated to 32 bits (the fuse-native wire). */
export function toFuseStat(s: Stat): FuseStat {
  return {
    mode: TYPE_BITS[s.kind] | (s.mode & 0o7777),
    uid: s.uid,
    gid: s.gid,
    size: s.size,
    nlink: s.kind === 'dir' ? 2 : s.nlink,
    ino: s.ino >>> 0,
    blksize: 131072,
    blocks: Math.ceil(s.size / 512),
    atime: msOf(s.atimeNs),
    mtime: msOf(s.mtimeNs),
    ctime: msOf(s.ctimeNs),
    ...(s.settled ? { dev: CACHEABLE_DEV } : {}),
  };
}

/** The statvfs fields fuse-native reads. */
export interface FuseStatFs {
  bsize: number;
  frsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  favail: number;
  namemax: number;
}

const U32_MAX = 0xffffffff;

/** Vfs statfs figures as statvfs; the block size grows until the counts fit fuse-native's 32-bit fields. */
export function toFuseStatFs(s: StatFs): FuseStatFs {
  let bsize = s.blockSize;
  let scale = 1;
  while (s.blocks / scale > U32_MAX) {
    scale *= 2;
    bsize *= 2;
  }
  const fit = (n: number) => Math.min(U32_MAX, Math.floor(n));
  return {
    bsize,
    frsize: bsize,
    blocks: fit(s.blocks / scale),
    bfree: fit(s.blocksFree / scale),
    bavail: fit(s.blocksAvail / scale),
    files: fit(s.files),
    ffree: fit(s.filesFree),
    favail: fit(s.filesFree),
    namemax: s.nameMax,
  };
}
