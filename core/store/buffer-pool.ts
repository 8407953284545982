// Reusable buffers for pack reads, page-aligned so that an O_DIRECT read fills them in place
// (direct-io.ts). V8 counts every fresh buffer as external memory, and buffers that live as long as
// the blob cache keeps them die in the old generation: a sequential read of a large file allocating
// one per chunk started a full garbage collection every few tens of MiB.
import { alignedBuffer } from './direct-io.ts';

/** Capacities are rounded up to a multiple of this, so buffers of nearby lengths serve each other. */
const GRAIN = 64 * 1024;
/** A free buffer serves a request of at least 1/MAX_WASTE of its capacity (or within this many bytes of it). */
const MAX_WASTE = 2;
const SLACK = 4 * GRAIN;

/** How a pool has served its requests: buffers reused versus freshly allocated. */
export interface PoolStats {
  reused: number;
  allocated: number;
  freeBytes: number;
}

/**
 * Free buffers of nearby sizes, bounded in bytes. Contract: a buffer given back is no longer read or
 * written by anyone (the pool hands it out again); lengths outside [minLength, maxLength] are not pooled.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  private freeBytes = 0;
  private reused = 0;
  private allocated = 0;

  constructor(
    private readonly maxFreeBytes: number,
    readonly minLength = GRAIN,
    readonly maxLength = 16 * 1024 * 1024,
  ) {}

  /** True when buffers of `length` bytes come from this pool. */
  pools(length: number): boolean {
    return length >= this.minLength && length <= this.maxLength;
  }

  /** A buffer of at least `length` bytes (its capacity; use a subarray): the smallest free one that fits, else a new one. */
  take(length: number): Buffer {
    const most = Math.max(length * MAX_WASTE, length + SLACK);
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const cap = this.free[i]!.length;
      if (cap >= length && cap <= most && (best < 0 || cap < this.free[best]!.length)) best = i;
    }
    if (best >= 0) {
      const buf = this.free[best]!;
      this.free.splice(best, 1);
      this.freeBytes -= buf.length;
      this.reused++;
      return buf;
    }
    this.allocated++;
    return alignedBuffer(Math.ceil(length / GRAIN) * GRAIN);
  }

  /** Takes back a buffer `take` returned; the oldest free ones are dropped beyond the byte bound. */
  give(buf: Buffer): void {
    this.free.push(buf);
    this.freeBytes += buf.length;
    while (this.freeBytes > this.maxFreeBytes) this.freeBytes -= this.free.shift()!.length;
  }

  /** Counts since the pool was made, and the bytes free now. */
  stats(): PoolStats {
    return { reused: this.reused, allocated: this.allocated, freeBytes: this.freeBytes };
  }
}
