// Import worker thread: reads whole files, cuts them into content-defined chunks and computes their ids, handing each chunk's bytes to the main thread without copying.
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { Chunker } from '../store/chunker.ts';
import { archiveHasher } from '../store/hash.ts';
import { ownedBuffer, packIds } from './chunk-transfer.ts';
import type { ChunkFailure, ChunkRequest, WorkerInit, WorkerReply } from './import-worker-protocol.ts';

/** Bytes read from a file at a time. */
const PIECE_BYTES = 1024 * 1024;
/** Chunk bytes gathered before they are posted. */
const FLUSH_BYTES = 4 * 1024 * 1024;

const init = workerData as WorkerInit;
const port = parentPort!;
const budget = new Int32Array(init.budget);
const hasher = archiveHasher(init.idKey);
const piece = Buffer.allocUnsafe(PIECE_BYTES);
let chunker = new Chunker(init.params, init.gear);

/** Replies not yet posted: sent together, so the main thread is woken once per few MiB rather than per chunk. */
let outbox: WorkerReply[] = [];
let outboxBuffers: ArrayBuffer[] = [];
let outboxBytes = 0;

/** Posts the pending replies, handing over their chunk buffers. */
function flush(): void {
  if (outbox.length === 0) return;
  port.postMessage(outbox, outboxBuffers);
  outbox = [];
  outboxBuffers = [];
  outboxBytes = 0;
}

/** Blocks this thread while the main thread holds more than the limit of unstored chunk bytes (after posting what it waits for). */
function waitForBudget(): void {
  if (Atomics.load(budget, 0) <= init.limit) return;
  flush();
  for (let v = Atomics.load(budget, 0); v > init.limit; v = Atomics.load(budget, 0)) Atomics.wait(budget, 0, v, 1000);
}

/** Queues chunks of `job` (and its size, when they are its last) for the main thread, counting them against the budget. */
function send(job: number, chunks: Buffer[], size?: number): void {
  if (chunks.length === 0 && size === undefined) return;
  let bytes = 0;
  const ids = packIds(hasher, chunks);
  const buffers = chunks.map((c) => {
    bytes += c.length;
    return ownedBuffer(c);
  });
  Atomics.add(budget, 0, bytes);
  outbox.push(size === undefined ? { job, chunks: buffers, ids } : { job, chunks: buffers, ids, size });
  outboxBuffers.push(...buffers, ids);
  outboxBytes += bytes;
  if (outboxBytes >= FLUSH_BYTES) flush();
}

function chunkFile(job: number, path: string): void {
  const fd = openSync(path, 'r');
  let size = 0;
  try {
    for (;;) {
      waitForBudget();
      const n = readSync(fd, piece, 0, PIECE_BYTES, null);
      if (n === 0) break;
      size += n;
      send(job, chunker.push(piece.subarray(0, n)));
    }
  } finally {
    closeSync(fd);
  }
  send(job, chunker.finish(), size);
}

port.on('message', (requests: ChunkRequest[]) => {
  for (const { job, path } of requests) {
    try {
      chunkFile(job, path);
    } catch (err) {
      chunker = new Chunker(init.params, init.gear);
      const failure: ChunkFailure = { job, error: err instanceof Error ? err.message : String(err) };
      outbox.push(failure);
    }
  }
  flush();
});
