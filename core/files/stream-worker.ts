// Stream chunking worker thread: cuts the bytes of many concurrent streams into content-defined
// chunks and computes their ids, off the main thread; chunk bytes travel back without copying.
// Buffers go round instead of being made anew: each `data` buffer goes back once its bytes are taken,
// and the main thread returns chunk buffers once stored (a fresh buffer per MiB on each side kept V8's
// full garbage collections going).
import { parentPort, workerData } from 'node:worker_threads';
import { BufferPool } from '../store/buffer-pool.ts';
import { Chunker } from '../store/chunker.ts';
import { archiveHasher } from '../store/hash.ts';
import { ownedBuffer, packIds } from './chunk-transfer.ts';
import type { StreamReply, StreamRequest, StreamWorkerInit } from './stream-worker-protocol.ts';

const init = workerData as StreamWorkerInit;
const port = parentPort!;
const hasher = archiveHasher(init.idKey);
const streams = new Map<number, Chunker>();
/** Chunk buffers the main thread gave back. */
const pool = new BufferPool(32 * 1024 * 1024);

function post(reply: StreamReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(reply, transfer);
}

/** Sends `chunks` of stream `s` (views of the chunker's buffer) with their ids, copied into buffers of their own. */
function send(s: number, chunks: Buffer[]): void {
  if (chunks.length === 0) return;
  const ids = packIds(hasher, chunks);
  const buffers = chunks.map((c) => {
    const b = pool.pools(c.length) ? pool.take(c.length) : Buffer.allocUnsafeSlow(c.length);
    c.copy(b);
    return b.buffer as ArrayBuffer;
  });
  post({ s, chunks: buffers, lengths: chunks.map((c) => c.length), ids }, [...buffers, ids]);
}

function handle(m: StreamRequest): void {
  if ('free' in m) return m.free.forEach((ab) => pool.give(Buffer.from(ab)));
  let chunker = streams.get(m.s);
  if (!chunker) streams.set(m.s, (chunker = new Chunker(init.params, init.gear, true)));
  if ('data' in m) {
    // fill, not push: the chunks are views of the chunker's buffer, valid until its next fill, and a push
    // that compacts that buffer midway would move the bytes under the chunks it cut before.
    const data = new Uint8Array(m.data);
    for (let off = 0; off < data.length; ) {
      const { n, chunks } = chunker.fill((target, at, length) => {
        target.set(data.subarray(off, off + length), at);
        return Math.min(length, data.length - off);
      }, data.length - off);
      off += n;
      send(m.s, chunks);
    }
    post({ spent: m.data }, [m.data]);
    return;
  }
  streams.delete(m.s);
  if ('finish' in m) {
    send(m.s, chunker.finish());
    return post({ s: m.s, done: true });
  }
  const tail = ownedBuffer(chunker.pending());
  post({ s: m.s, tail }, [tail]);
}

port.on('message', (m: StreamRequest) => {
  try {
    handle(m);
  } catch (err) {
    if (!('s' in m)) return;
    streams.delete(m.s);
    post({ s: m.s, error: err instanceof Error ? err.message : String(err) });
  }
});
