// Main-thread side of the stream chunking worker: one thread, started on first use, shared by every
// stream of an archive; it holds the process open only while a stream is open.
import type { Worker } from 'node:worker_threads';
import { VfsError } from '../errors.ts';
import { SOURCE_EXT } from '../util/source-ext.ts';
import { startTsWorker } from '../util/ts-worker.ts';
import { unpackIds } from './chunk-transfer.ts';
import type { StreamReply, StreamRequest, StreamWorkerInit } from './stream-worker-protocol.ts';

/** What a stream hears from the worker, in order. */
export interface StreamListener {
  chunks(chunks: Buffer[], ids: Buffer[]): void;
  /** The stream was finished and every chunk delivered. */
  done(): void;
  /** The stream was drained: every chunk delivered, and these bytes were not cut yet. */
  tail(tail: Buffer): void;
  failed(err: VfsError): void;
}

/** Spent `data` buffers kept for reuse (more than the sink lets wait unstored, 16 MiB in 1 MiB buffers). */
const SPARE_INPUTS = 32;

/**
 * The worker that chunks and hashes streams. Buffers go round between the threads rather than being made
 * anew (see stream-worker.ts): `inputBuffer` reuses the buffers the worker is done with, `recycle` gives chunk
 * buffers back.
 */
export class StreamChunkWorker {
  private worker: Worker | null = null;
  private readonly listeners = new Map<number, StreamListener>();
  private readonly spareInputs: ArrayBuffer[] = [];
  private next = 1;
  private closed = false;

  constructor(private readonly init: StreamWorkerInit) {}

  /** Opens a stream whose replies go to `listener`; returns its number. */
  open(listener: StreamListener): number {
    if (this.closed) throw new Error('the chunking worker is closed');
    const worker = (this.worker ??= this.start());
    if (this.listeners.size === 0) worker.ref();
    const s = this.next++;
    this.listeners.set(s, listener);
    return s;
  }

  /** Hands bytes of stream `s` to the worker (the buffer is transferred, not copied). */
  push(s: number, data: ArrayBuffer): void {
    this.post({ s, data }, [data]);
  }

  /** A buffer of `length` bytes to fill and `push`: one the worker gave back, when there is one that long. */
  inputBuffer(length: number): Buffer {
    const i = this.spareInputs.findIndex((ab) => ab.byteLength === length);
    return i < 0 ? Buffer.allocUnsafeSlow(length) : Buffer.from(this.spareInputs.splice(i, 1)[0]!);
  }

  /**
   * Gives the buffer of a chunk this worker sent back to it, for its next chunks. Contract: nothing reads or
   * writes `chunk` (nor any view of its buffer) any more.
   */
  recycle(chunk: Buffer): void {
    const ab = chunk.buffer as ArrayBuffer;
    if (this.worker && !this.closed) this.worker.postMessage({ free: [ab] } satisfies StreamRequest, [ab]);
  }

  /** Ends stream `s`: its last chunks, then `done`. */
  finish(s: number): void {
    this.post({ s, finish: true });
  }

  /** Ends stream `s` without cutting its tail: its chunks so far, then `tail`. */
  drain(s: number): void {
    this.post({ s, drain: true });
  }

  /** Stops the thread (at archive close); open streams fail. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
  }

  private post(m: StreamRequest, transfer: ArrayBuffer[] = []): void {
    if (!this.worker) throw new Error('the chunking worker is not running');
    this.worker.postMessage(m, transfer);
  }

  private start(): Worker {
    const w = startTsWorker(new URL(`./stream-worker${SOURCE_EXT}`, import.meta.url), this.init);
    w.on('message', (m: StreamReply) => this.onReply(m));
    w.on('error', (err) => this.fail(w, new VfsError('EIO', 'write', undefined, `chunking worker failed: ${err.message}`)));
    w.on('exit', (code) => this.fail(w, new VfsError('EIO', 'write', undefined, `chunking worker exited (code ${code})`)));
    return w;
  }

  private onReply(m: StreamReply): void {
    if ('spent' in m) {
      if (this.spareInputs.length < SPARE_INPUTS) this.spareInputs.push(m.spent);
      return;
    }
    const l = this.listeners.get(m.s);
    if (!l) return;
    if ('chunks' in m) return l.chunks(m.chunks.map((ab, i) => Buffer.from(ab, 0, m.lengths[i])), unpackIds(m.ids, m.chunks.length));
    this.end(m.s);
    if ('done' in m) l.done();
    else if ('tail' in m) l.tail(Buffer.from(m.tail));
    else l.failed(new VfsError('EIO', 'write', undefined, `chunking failed: ${m.error}`));
  }

  private end(s: number): void {
    this.listeners.delete(s);
    if (this.listeners.size === 0) this.worker?.unref();
  }

  /** A dead worker fails its open streams; the next stream starts a new one. */
  private fail(w: Worker, err: VfsError): void {
    if (this.worker !== null && this.worker !== w) return; // a replaced worker's late exit: the open streams are the new one's
    this.worker = null;
    const open = [...this.listeners.values()];
    this.listeners.clear();
    for (const l of open) l.failed(err);
  }
}
