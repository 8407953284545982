// Inode records of the live tree, and the chunk-list encoding of file contents.
import { ID_BYTES } from '../store/hash.ts';

/** The inode number of the root directory. */
export const ROOT_INO = 1;

export type InodeKind = 'file' | 'dir' | 'symlink';

/** One file, directory or symlink of the live tree (value of the `inodes` database). */
export interface Inode {
  kind: InodeKind;
  /** Permission bits (0o7777), without the file-type bits. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Times in nanoseconds since the epoch. */
  atime: bigint;
  mtime: bigint;
  ctime: bigint;
  btime: bigint;
  /** Inode number of the directory that holds it (the root holds itself). */
  parent: number;
  /** File contents: CHUNK_REF_BYTES per chunk (id, then length u32 LE), in order. */
  chunks?: Buffer;
  /** Symlink target. */
  target?: string;
  /** Extended attributes and WebDAV dead properties, by name. */
  xattrs?: Record<string, Buffer>;
  /** Directories only: id of the tree object last written for it; absent when it changed since. */
  tree?: Buffer;
}

export const CHUNK_REF_BYTES = ID_BYTES + 4;

/** One chunk of a file: its id and length. */
export interface ChunkRef {
  id: Buffer;
  length: number;
}

/** Packs chunk refs into the stored form. */
export function encodeChunks(refs: ChunkRef[]): Buffer {
  const b = Buffer.alloc(refs.length * CHUNK_REF_BYTES);
  refs.forEach((r, i) => {
    r.id.copy(b, i * CHUNK_REF_BYTES);
    b.writeUInt32LE(r.length, i * CHUNK_REF_BYTES + ID_BYTES);
  });
  return b;
}

/** Unpacks the stored form into chunk refs. */
export function decodeChunks(b: Buffer | undefined): ChunkRef[] {
  const out: ChunkRef[] = [];
  if (!b) return out;
  for (let at = 0; at + CHUNK_REF_BYTES <= b.length; at += CHUNK_REF_BYTES) {
    out.push({ id: b.subarray(at, at + ID_BYTES), length: b.readUInt32LE(at + ID_BYTES) });
  }
  return out;
}

/** Current time in nanoseconds, from a millisecond clock. */
export function nowNs(clock: () => number = Date.now): bigint {
  return BigInt(Math.round(clock() * 1e6));
}
