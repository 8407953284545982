// Import worker thread: reads whole files, cuts them into content-defined chunks, computes their ids and
// encodes (compresses, seals) the chunks the index does not hold yet, handing each to the main thread without copying.
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openMetaDb } from '../meta/db.ts';
import { BlobCodec } from '../store/blob-codec.ts';
import { Chunker } from '../store/chunker.ts';
import { archiveHasher, hex } from '../store/hash.ts';
import { BlobType } from '../store/pack-format.ts';
import { BufferGarbage } from '../util/buffer-garbage.ts';
import { ownedBuffer, packIdList } from './chunk-transfer.ts';
import type { ChunkFailure, ChunkForm, ChunkRequest, WorkerClose, WorkerInit, WorkerReply } from './import-worker-protocol.ts';

/** Bytes read from a file at a time. */
const PIECE_BYTES = 1024 * 1024;
/** Chunk bytes gathered before they are posted. */
const FLUSH_BYTES = 2 * 1024 * 1024;
/** Finished files gathered before they are posted: the main thread hands out the next files as these return. */
const FLUSH_FILES = 8;
/** Chunk bytes being encoded at once, at most (plus one piece). */
const MAX_ENCODING_BYTES = 2 * 1024 * 1024;
/** New chunk bytes copied between young collections: each copy, its compressed and its sealed forms die here or, handed over, in the main thread. */
const COLLECT_EVERY_BYTES = 8 * 1024 * 1024;

const init = workerData as WorkerInit;
const port = parentPort!;
const budget = new Int32Array(init.budget);
const hasher = archiveHasher(init.idKey);
const codec = new BlobCodec(hasher, init.dataKey ? Buffer.from(init.dataKey) : null);
const meta = openMetaDb(init.metaPath, true);
/**
 * Ids this worker encoded lately: a repeat within the import crosses plain, and the main thread finds
 * it stored. Imports commit every few hundred MiB, after which the index knows them, so the set is
 * emptied now and then to keep memory bounded whatever the tree's size (a repeat is then encoded again).
 */
const encoded = new Set<string>();
const ENCODED_REMEMBERED = 65536;
/** Files are read straight into the chunker, whose chunks are views valid until its next read: copied only when new. */
let chunker = new Chunker(init.params, init.gear, true);
const garbage = new BufferGarbage(COLLECT_EVERY_BYTES);

/** Replies not yet posted: sent together, so the main thread is woken once per few MiB rather than per chunk. */
let outbox: WorkerReply[] = [];
let outboxBuffers: ArrayBuffer[] = [];
let outboxBytes = 0;
let outboxFiles = 0;

/** Posts the pending replies, handing over their chunk buffers. */
function flush(): void {
  if (outbox.length === 0) return;
  port.postMessage(outbox, outboxBuffers);
  outbox = [];
  outboxBuffers = [];
  outboxBytes = 0;
  outboxFiles = 0;
}

/** Atomics.waitAsync (Node 20 has it; the ES2022 library this project compiles against does not declare it). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, ms: number): { value: Promise<string> | string } }).waitAsync;

/** Waits while the main thread holds more than the limit of unstored chunk bytes (after posting what it waits for). */
async function waitForBudget(): Promise<void> {
  for (let v = Atomics.load(budget, 0); v > init.limit; v = Atomics.load(budget, 0)) {
    flush();
    await waitAsync(budget, 0, v, 1000).value;
  }
}

/** A chunk ready to cross: its id, the bytes that cross (none for a known chunk) and how they are stored. */
interface Prepared {
  id: Buffer;
  bytes: Buffer;
  form: ChunkForm;
}

const NO_BYTES = Buffer.alloc(0);

/**
 * Prepares the chunk `view` (valid until the chunker's next read, so it is used synchronously): a chunk
 * the index (or this worker, earlier) already has crosses as its id alone; any other is copied, then
 * encoded, so the main thread only appends it.
 */
function prepare(view: Buffer): Prepared | Promise<Prepared> {
  const id = hasher.id(view);
  const key = hex(id);
  if (encoded.has(key) || meta.blobs.doesExist(id)) return { id, bytes: NO_BYTES, form: { known: true, rawLength: view.length } };
  if (encoded.size >= ENCODED_REMEMBERED) encoded.clear();
  encoded.add(key);
  const raw = Buffer.from(view);
  garbage.add(raw.length);
  return codec.encode(BlobType.Data, id, raw).then((enc) => ({ id, bytes: enc.stored, form: { compression: enc.compression, rawLength: raw.length } }));
}

/** Moves prepared chunks of `job` (and its size, when they are its last) to the outbox, counting them against the budget. */
function post(job: number, prepared: Prepared[], size?: number): void {
  let bytes = 0;
  const buffers = prepared.map((p) => {
    bytes += p.bytes.length;
    return p.bytes.length > 0 ? ownedBuffer(p.bytes) : null;
  });
  const ids = packIdList(prepared.map((p) => p.id));
  const forms = prepared.map((p) => p.form);
  Atomics.add(budget, 0, bytes);
  outbox.push(size === undefined ? { job, chunks: buffers, ids, forms } : { job, chunks: buffers, ids, forms, size });
  for (const b of buffers) if (b) outboxBuffers.push(b);
  outboxBuffers.push(ids);
  outboxBytes += bytes;
  if (size !== undefined) outboxFiles++;
  if (outboxBytes >= FLUSH_BYTES || outboxFiles >= FLUSH_FILES) flush();
}

/**
 * Chunks being encoded, in file order: zstd runs on libuv's threads, so several pieces are encoded at
 * once while this thread reads and cuts the next; each is posted once it and all before it are done.
 */
const encoding: Array<{ bytes: number; posted: Promise<void> }> = [];
let encodingBytes = 0;
let lastPosted: Promise<void> = Promise.resolve();

/** Queues a reply behind the chunks being encoded; the outbox is flushed whenever nothing is left encoding. */
function inOrder(bytes: number, reply: () => Promise<void>): void {
  const posted = lastPosted.then(reply).finally(() => {
    encoding.shift();
    encodingBytes -= bytes;
    if (encoding.length === 0) flush();
  }).catch(crash);
  encoding.push({ bytes, posted });
  encodingBytes += bytes;
  lastPosted = posted;
}

/** Encodes `chunks` of `job` and posts them in order (with the file's size after its last); a failure fails the job. */
function send(job: number, chunks: Buffer[], size?: number): void {
  if (chunks.length === 0 && size === undefined) return;
  const bytes = chunks.reduce((n, c) => n + c.length, 0);
  const prepared = Promise.all(chunks.map(prepare)); // every view is hashed and copied before this returns
  prepared.catch(() => undefined); // reported in order below
  inOrder(bytes, () => prepared.then((p) => post(job, p, size), (err: unknown) => fail(job, err)));
}

/** Reports job `job` failed, in order after what was sent of it. */
function fail(job: number, err: unknown): void {
  const failure: ChunkFailure = { job, error: err instanceof Error ? err.message : String(err) };
  outbox.push(failure);
}

/** Waits until fewer than MAX_ENCODING_BYTES are being encoded. */
async function waitForEncoding(): Promise<void> {
  while (encodingBytes > MAX_ENCODING_BYTES) await encoding[0]!.posted;
}

async function chunkFile(job: number, path: string): Promise<void> {
  const fd = openSync(path, 'r');
  let size = 0;
  try {
    for (;;) {
      await waitForEncoding();
      await waitForBudget();
      const { n, chunks } = chunker.fill((target, offset, length) => readSync(fd, target, offset, length, null), PIECE_BYTES);
      if (n === 0) break;
      size += n;
      send(job, chunks);
    }
  } finally {
    closeSync(fd);
  }
  send(job, chunker.finish(), size);
}

async function chunkFiles(requests: ChunkRequest[]): Promise<void> {
  for (const { job, path } of requests) {
    try {
      await chunkFile(job, path);
    } catch (err) {
      chunker = new Chunker(init.params, init.gear, true);
      inOrder(0, async () => fail(job, err));
    }
  }
  if (encoding.length === 0) flush();
}

/**
 * Ends the thread on an unexpected failure (posting a reply, say): the pool then fails every job of this
 * worker, instead of waiting forever for replies a broken chain would never send.
 */
function crash(err: unknown): void {
  process.nextTick(() => {
    throw err;
  });
}

/** Files are chunked one after another: the chunker holds one file's state at a time. */
let queue: Promise<void> = Promise.resolve();

port.on('message', (m: ChunkRequest[] | WorkerClose) => {
  if ('close' in m) {
    queue = queue.then(async () => {
      await lastPosted;
      await meta.env.close();
      port.close();
    });
    return;
  }
  queue = queue.then(() => chunkFiles(m)).catch(crash);
});
