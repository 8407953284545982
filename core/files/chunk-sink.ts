// Bytes in, stored chunks out: chunks a byte stream as it arrives and stores each chunk, with the
// bytes taken but not yet stored bounded (memory stays a few max-size chunks whatever the length).
// Small streams are cut on the calling thread; once a stream outgrows the minimum chunk size it moves
// to the chunking worker, which cuts and hashes while this thread receives the next bytes.
import type { ChunkRef } from '../meta/inode.ts';
import type { Chunker } from '../store/chunker.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { BlobType } from '../store/pack-format.ts';
import { ownedBuffer } from './chunk-transfer.ts';
import type { StreamChunkWorker } from './stream-chunker.ts';

/** Chunks stored concurrently by a stream cut on this thread. */
const MAX_INFLIGHT = 6;
/** Bytes gathered before they are handed to the worker. */
const POST_BYTES = 1024 * 1024;
/** Bytes a stream may have taken and not yet stored before `push` waits. */
const UNSTORED_LIMIT = 16 * 1024 * 1024;

/** A stream being chunked and stored. Contract: after a store fails, every later call rejects with that failure. */
export class ChunkSink {
  private readonly refs: ChunkRef[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private failure: { err: unknown } | null = null;
  /** The worker stream, once this stream moved there. */
  private remote: { s: number; ended: Promise<Buffer | null> } | null = null;
  private outbox: Buffer | null = null;
  private outboxLength = 0;
  private unstored = 0;
  private wake: (() => void) | null = null;
  /** Bytes taken so far. */
  size = 0;
  /** Stored bytes added (0 for fully deduplicated content). */
  addedBytes = 0;

  constructor(private readonly store: ObjectStore, private readonly chunker: Chunker, private readonly worker: StreamChunkWorker | null = null) {}

  /** Takes `data` (copied: the caller may reuse it at once); waits while too much is taken and not stored. */
  async push(data: Uint8Array): Promise<void> {
    this.check();
    if (!this.remote && this.worker && this.size + data.length > this.chunker.minSize) this.moveToWorker();
    this.size += data.length;
    if (!this.remote) {
      for (const c of this.chunker.push(data)) await this.submit(c);
      return;
    }
    this.unstored += data.length;
    for (let off = 0; off < data.length; ) {
      this.outbox ??= Buffer.allocUnsafeSlow(POST_BYTES);
      const n = Math.min(data.length - off, POST_BYTES - this.outboxLength);
      this.outbox.set(data.subarray(off, off + n), this.outboxLength);
      this.outboxLength += n;
      off += n;
      if (this.outboxLength === POST_BYTES) this.post();
    }
    while (this.unstored > UNSTORED_LIMIT && !this.failure) await new Promise<void>((resolve) => (this.wake = resolve));
    this.check();
  }

  /** Cuts the last chunks and waits for every store: the whole stream's chunk list. */
  async finish(): Promise<ChunkRef[]> {
    this.check();
    if (this.remote) {
      this.post();
      this.worker!.finish(this.remote.s);
      await this.remote.ended;
    } else for (const c of this.chunker.finish()) await this.submit(c);
    await this.settle();
    return this.refs;
  }

  /** Ends the stream without cutting its tail: every chunk stored so far, and the bytes taken but not cut. */
  async drain(): Promise<{ refs: ChunkRef[]; tail: Buffer }> {
    let tail: Buffer;
    if (this.remote) {
      this.post();
      this.worker!.drain(this.remote.s);
      tail = (await this.remote.ended.catch(() => null)) ?? Buffer.alloc(0);
    } else tail = this.chunker.pending();
    await this.settle();
    return { refs: this.refs, tail };
  }

  /** Hands everything taken so far to the worker, which continues the stream from there. */
  private moveToWorker(): void {
    let settle!: { resolve: (tail: Buffer | null) => void; reject: (err: unknown) => void };
    const ended = new Promise<Buffer | null>((resolve, reject) => (settle = { resolve, reject }));
    ended.catch(() => undefined); // the failure is also recorded and rethrown by check()
    const s = this.worker!.open({
      chunks: (chunks, ids) => chunks.forEach((c, i) => void this.submit(c, ids[i]).catch(() => undefined)), // failures are recorded by submit
      done: () => settle.resolve(null),
      tail: (tail) => settle.resolve(tail),
      failed: (err) => {
        this.fail(err);
        settle.reject(err);
      },
    });
    this.remote = { s, ended };
    const taken = this.chunker.pending();
    this.unstored += taken.length;
    if (taken.length > 0) this.worker!.push(s, ownedBuffer(taken));
  }

  private post(): void {
    if (!this.outbox || this.outboxLength === 0) return;
    const data = ownedBuffer(this.outbox.subarray(0, this.outboxLength));
    this.outbox = null;
    this.outboxLength = 0;
    this.worker!.push(this.remote!.s, data);
  }

  private async settle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    this.check();
  }

  private check(): void {
    if (this.failure) throw this.failure.err;
  }

  private fail(err: unknown): void {
    this.failure ??= { err };
    this.wake?.();
  }

  /** Stores one chunk (its id computed here unless given); on this thread, waits while too many are in flight. */
  private async submit(chunk: Buffer, id?: Buffer): Promise<void> {
    const slot = this.refs.length;
    this.refs.push({ id: Buffer.alloc(0), length: chunk.length });
    const stored = this.store.put(BlobType.Data, chunk, id).then(
      (r) => {
        this.refs[slot] = { id: r.id, length: chunk.length };
        if (r.added) this.addedBytes += r.storedLength;
      },
      (err: unknown) => this.fail(err),
    );
    this.inflight.add(stored);
    void stored.then(() => {
      this.inflight.delete(stored);
      if (!this.remote) return;
      this.unstored -= chunk.length;
      if (this.unstored <= UNSTORED_LIMIT) this.wake?.();
    });
    if (!this.remote && this.inflight.size >= MAX_INFLIGHT) await Promise.race(this.inflight);
    this.check();
  }
}
