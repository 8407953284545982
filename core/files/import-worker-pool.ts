// Main-thread side of the import workers: starts them, hands out files, routes their chunks back, and bounds unstored bytes.
import type { Worker } from 'node:worker_threads';
import { SOURCE_EXT } from '../util/source-ext.ts';
import { startTsWorker } from '../util/ts-worker.ts';
import { unpackIds } from './chunk-transfer.ts';
import type { ChunkForm, ChunkRequest, WorkerInit, WorkerReply } from './import-worker-protocol.ts';

/** A chunk as it arrives from a worker: its id and, unless it is known, its bytes encoded as `form` says. */
export interface ArrivedChunk {
  id: Buffer;
  bytes: Buffer;
  form: ChunkForm;
}

/** What the workers need of the archive: chunker, keys and where its metadata lives. */
export type PoolArchive = Pick<WorkerInit, 'params' | 'gear' | 'idKey' | 'dataKey' | 'metaPath'>;

const NO_BYTES = Buffer.alloc(0);

/** How long a closing worker has to close its metadata environment before it is terminated. */
const CLOSE_GRACE_MS = 1000;

interface Job {
  path: string;
  /** Bytes still expected from the worker (from the file's size when it was listed). */
  left: number;
  slot: Slot;
  onChunk: (chunk: ArrivedChunk) => void;
  resolve: (size: number) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  jobs: Set<number>;
  /** Requests not yet posted: all those made in one turn go in one message, waking the worker once. */
  outbox: ChunkRequest[];
  /** Bytes of queued files this worker has not sent yet: new files go to the least loaded worker. */
  load: number;
  /** Resolves when the thread has exited. */
  exited: Promise<void>;
}

/** Starts a worker running import-worker.ts. */
function startWorker(init: WorkerInit): Worker {
  return startTsWorker(new URL(`./import-worker${SOURCE_EXT}`, import.meta.url), init);
}

/** A pool of threads that read, chunk and encode files; the caller stores each chunk, then calls `release` with its byte length. */
export class ChunkingPool {
  private readonly slots: Slot[] = [];
  private readonly jobs = new Map<number, Job>();
  private readonly budget: Int32Array;
  private nextJob = 0;
  private broken: Error | null = null;

  /** Starts `size` workers; they pause reading while more than `limit` chunk bytes are unreleased. */
  constructor(archive: PoolArchive, size: number, private readonly limit: number) {
    const shared = new SharedArrayBuffer(4);
    this.budget = new Int32Array(shared);
    for (let i = 0; i < size; i++) {
      const worker = startWorker({ ...archive, budget: shared, limit });
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      const slot: Slot = { worker, jobs: new Set(), outbox: [], load: 0, exited };
      slot.worker.on('message', (replies: WorkerReply[]) => replies.forEach((m) => this.onReply(m)));
      slot.worker.on('error', (err: unknown) => this.fail(slot, new Error(`import worker failed: ${(err as Error | null)?.message ?? String(err)}`)));
      slot.worker.on('exit', (code) => this.fail(slot, new Error(`import worker exited (code ${code})`)));
      this.slots.push(slot);
    }
  }

  /** Chunks the file at `path` (about `sizeHint` bytes) in a worker, calling `onChunk` in file order; resolves with its size. */
  chunkFile(path: string, sizeHint: number, onChunk: (chunk: ArrivedChunk) => void): Promise<number> {
    if (this.broken) return Promise.reject(this.broken);
    const slot = this.slots.reduce((a, b) => (b.load < a.load ? b : a));
    const job = this.nextJob++;
    return new Promise<number>((resolve, reject) => {
      this.jobs.set(job, { path, left: sizeHint, slot, onChunk, resolve, reject });
      slot.jobs.add(job);
      slot.load += sizeHint;
      if (slot.outbox.push({ job, path }) === 1) queueMicrotask(() => slot.worker.postMessage(slot.outbox.splice(0)));
    });
  }

  /** Returns `bytes` of stored chunks to the budget; wakes the workers when that makes room (they wait only above the limit). */
  release(bytes: number): void {
    const before = Atomics.sub(this.budget, 0, bytes);
    if (before > this.limit && before - bytes <= this.limit) Atomics.notify(this.budget, 0);
  }

  /** Stops every worker: each closes its metadata environment and exits (terminated if it has not within a second). */
  async close(): Promise<void> {
    this.broken ??= new Error('import workers closed');
    await Promise.all(this.slots.map(async ({ worker, exited }) => {
      worker.postMessage({ close: true });
      const timer = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }));
  }

  private onReply(m: WorkerReply): void {
    const job = this.jobs.get(m.job);
    if (!job) return;
    if ('error' in m) {
      this.finish(m.job, job);
      job.reject(new Error(`cannot import ${job.path}: ${m.error}`));
      return;
    }
    const ids = unpackIds(m.ids, m.chunks.length);
    m.chunks.forEach((ab, i) => {
      const chunk: ArrivedChunk = { id: ids[i]!, bytes: ab ? Buffer.from(ab) : NO_BYTES, form: m.forms[i]! };
      const take = Math.min(job.left, chunk.form.rawLength);
      job.left -= take;
      job.slot.load -= take;
      job.onChunk(chunk);
    });
    if (m.size !== undefined) {
      this.finish(m.job, job);
      job.resolve(m.size);
    }
  }

  private finish(id: number, job: Job): void {
    this.jobs.delete(id);
    job.slot.jobs.delete(id);
    job.slot.load -= job.left;
  }

  /** Fails every job of a worker that died, and any later request. */
  private fail(slot: Slot, err: Error): void {
    this.broken ??= err;
    for (const id of slot.jobs) {
      const job = this.jobs.get(id);
      if (!job) continue;
      this.finish(id, job);
      job.reject(err);
    }
  }
}
