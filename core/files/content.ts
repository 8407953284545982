// File contents as chunk lists: storing a byte stream, and reading ranges back.
import type { ObjectStore } from '../store/object-store.ts';
import { releasePiece } from '../store/blob-cache.ts';
import type { ChunkRef } from '../meta/inode.ts';
import type { ChunkSink } from './chunk-sink.ts';

/** What storing a stream produced. */
export interface StoredContent {
  refs: ChunkRef[];
  size: number;
  /** Stored bytes added (0 for fully deduplicated content). */
  addedBytes: number;
}

/** Chunks `source` and stores every chunk; memory stays bounded whatever the stream's length. */
export async function storeStream(sink: ChunkSink, source: AsyncIterable<Uint8Array>): Promise<StoredContent> {
  try {
    for await (const piece of source) await sink.push(piece);
  } catch (err) {
    await sink.drain().catch(() => undefined); // no store may outlive the caller's write bracket
    throw err;
  }
  const refs = await sink.finish();
  return { refs, size: sink.size, addedBytes: sink.addedBytes };
}

/** Start offset of each chunk, plus the total size at the end. */
export function chunkOffsets(refs: ChunkRef[]): number[] {
  const out = new Array<number>(refs.length + 1);
  let at = 0;
  refs.forEach((r, i) => {
    out[i] = at;
    at += r.length;
  });
  out[refs.length] = at;
  return out;
}

/** Index of the chunk holding byte `pos` (offsets from chunkOffsets). */
export function chunkAt(offsets: number[], pos: number): number {
  let lo = 0;
  let hi = offsets.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Reads `length` bytes at `offset` of a file made of `refs` (short at the end of the file) as the
 * pieces of the chunks they lie in, fetched in parallel and not copied together. The pieces are lent
 * by the store: a caller that is done with them passes them to `releaseParts`, so their memory serves
 * later reads (one that does not leaves them to the garbage collector).
 */
export function readRangeParts(store: ObjectStore, refs: ChunkRef[], offsets: number[], offset: number, length: number): Promise<Buffer[]> {
  const total = offsets[refs.length]!;
  const end = Math.min(total, offset + length);
  const parts: Array<Promise<Buffer>> = [];
  for (let i = offset < end ? chunkAt(offsets, offset) : refs.length; i < refs.length && offsets[i]! < end; i++) {
    const from = Math.max(0, offset - offsets[i]!);
    const to = end - offsets[i]!;
    parts.push(store.piece(refs[i]!.id, from, to));
  }
  return Promise.all(parts);
}

/** Reads `length` bytes at `offset` of a file made of `refs` (short at the end of the file). */
export async function readRange(store: ObjectStore, refs: ChunkRef[], offsets: number[], offset: number, length: number): Promise<Buffer> {
  return joinParts(await readRangeParts(store, refs, offsets, offset, length));
}

/**
 * Gives back pieces from `readRangeParts` (or any VfsFile.readParts) once nothing reads them any more:
 * their memory may hold other data right after. Parts that were not lent are left alone.
 */
export function releaseParts(parts: readonly Buffer[]): void {
  for (const p of parts) releasePiece(p);
}

/** The total length of `parts`. */
export function partsLength(parts: readonly Uint8Array[]): number {
  return parts.reduce((n, p) => n + p.length, 0);
}

/**
 * One buffer holding `parts` (from a readParts, read by nobody else) in order: the part itself when
 * there is one (the caller keeps it, so it is never released), else a copy, and the parts are released.
 */
export function joinParts(parts: Buffer[]): Buffer {
  if (parts.length === 1) return parts[0]!;
  const joined = Buffer.concat(parts);
  releaseParts(parts);
  return joined;
}

/** Yields a file's contents chunk by chunk, reading a couple of chunks ahead. */
export async function* readAll(store: ObjectStore, refs: ChunkRef[]): AsyncGenerator<Buffer> {
  const ahead: Array<Promise<Buffer>> = [];
  let next = 0;
  const fill = () => {
    while (ahead.length < 3 && next < refs.length) {
      const p = store.get(refs[next++]!.id);
      p.catch(() => undefined);
      ahead.push(p);
    }
  };
  fill();
  while (ahead.length > 0) {
    const data = await ahead.shift()!;
    fill();
    yield data;
  }
}
