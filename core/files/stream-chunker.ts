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

/** The worker that chunks and hashes streams. */
export class StreamChunkWorker {
  private worker: Worker | null = null;
  private readonly listeners = new Map<number, StreamListener>();
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
    const l = this.listeners.get(m.s);
    if (!l) return;
    if ('chunks' in m) return l.chunks(m.chunks.map((ab) => Buffer.from(ab)), unpackIds(m.ids, m.chunks.length));
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
