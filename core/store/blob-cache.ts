// A small LRU of decoded blobs by id, bounded in bytes: protocol reads come in pieces far smaller than a chunk.
// A blob read into a pooled buffer goes back to the pool once it has left the cache and nobody holds it:
// pieces handed out with `piece` hold it until `releasePiece`; a blob handed out whole never goes back.
import type { BufferPool } from './buffer-pool.ts';

/** One cached blob: its bytes and, while they may still go back to the pool, the pooled buffer holding them. */
export interface CachedBlob {
  readonly value: Buffer;
  /** The pooled buffer `value` lies in; null once the bytes may be kept by anyone (or were never pooled). */
  backing: Buffer | null;
  /** Pieces handed out and not released. */
  pins: number;
  cached: boolean;
  pool: BufferPool | null;
  /** The memory it takes (the pooled buffer's capacity when pooled), as the cache counts it. */
  readonly bytes: number;
}

/** The blob each unreleased piece holds. */
const held = new WeakMap<Buffer, CachedBlob>();

/** A blob not (or no longer) tied to a pool: nothing goes back anywhere. */
export function unpooled(value: Buffer): CachedBlob {
  return { value, backing: null, pins: 0, cached: false, pool: null, bytes: value.length };
}

/** A blob read into `backing`, a buffer of `pool`. */
export function pooled(value: Buffer, backing: Buffer, pool: BufferPool): CachedBlob {
  return { value, backing, pins: 0, cached: false, pool, bytes: backing.length };
}

/** Marks the blob's bytes as kept by a caller that will not release them: they never go back to the pool. */
export function escape(blob: CachedBlob): Buffer {
  blob.backing = null;
  return blob.value;
}

/**
 * Bytes [from, to) of the blob, counted as held until `releasePiece(piece)`. The caller must already have
 * added one to `blob.pins` for it (synchronously with finding the blob, so no eviction comes in between).
 */
export function pinnedPiece(blob: CachedBlob, from: number, to: number): Buffer {
  const piece = blob.value.subarray(from, to);
  if (blob.backing) held.set(piece, blob);
  else blob.pins--;
  return piece;
}

/**
 * Ends the hold of a piece from `pinnedPiece` (a no-op for any other buffer, or a second time). The
 * caller must not read the piece afterwards: its bytes may be overwritten by another blob.
 */
export function releasePiece(piece: Buffer): void {
  const blob = held.get(piece);
  if (!blob) return;
  held.delete(piece);
  blob.pins--;
  recycle(blob);
}

function recycle(blob: CachedBlob): void {
  if (blob.cached || blob.pins > 0 || !blob.backing) return;
  blob.pool!.give(blob.backing);
  blob.backing = null;
}

/** Least-recently-used cache of blobs, at most `maxBytes` in total. */
export class BlobCache {
  private readonly map = new Map<string, CachedBlob>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The cached blob, refreshed as most recently used. */
  get(key: string): CachedBlob | undefined {
    const v = this.map.get(key);
    if (v) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  /** Adds a blob, evicting the oldest ones beyond the byte bound; one too large to cache is left out. */
  set(key: string, blob: CachedBlob): void {
    const old = this.map.get(key);
    if (old) this.drop(key, old);
    if (blob.bytes > this.maxBytes / 4) return recycle(blob);
    this.map.set(key, blob);
    blob.cached = true;
    this.bytes += blob.bytes;
    for (const [k, v] of this.map) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(k, v);
    }
  }

  private drop(key: string, blob: CachedBlob): void {
    this.map.delete(key);
    this.bytes -= blob.bytes;
    blob.cached = false;
    recycle(blob);
  }
}
