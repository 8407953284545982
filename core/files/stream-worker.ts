// Stream chunking worker thread: cuts the bytes of many concurrent streams into content-defined
// chunks and computes their ids, off the main thread; chunk bytes travel back without copying.
import { parentPort, workerData } from 'node:worker_threads';
import { Chunker } from '../store/chunker.ts';
import { keyedHasher, plainHasher, ID_BYTES } from '../store/hash.ts';
import type { StreamReply, StreamRequest, StreamWorkerInit } from './stream-worker-protocol.ts';

const init = workerData as StreamWorkerInit;
const port = parentPort!;
const hasher = init.idKey ? keyedHasher(Buffer.from(init.idKey)) : plainHasher();
const streams = new Map<number, Chunker>();

/** A chunk's bytes as an ArrayBuffer of their own, so it can be transferred (small Buffers share a pool). */
function own(chunk: Buffer): ArrayBuffer {
  const ab = chunk.buffer as ArrayBuffer;
  return chunk.byteOffset === 0 && ab.byteLength === chunk.length ? ab : ab.slice(chunk.byteOffset, chunk.byteOffset + chunk.length);
}

function post(reply: StreamReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(reply, transfer);
}

/** Sends `chunks` of stream `s` with their ids. */
function send(s: number, chunks: Buffer[]): void {
  if (chunks.length === 0) return;
  const ids = Buffer.allocUnsafeSlow(chunks.length * ID_BYTES);
  chunks.forEach((c, i) => hasher.id(c).copy(ids, i * ID_BYTES));
  const buffers = chunks.map(own);
  post({ s, chunks: buffers, ids: ids.buffer as ArrayBuffer }, [...buffers, ids.buffer as ArrayBuffer]);
}

function handle(m: StreamRequest): void {
  let chunker = streams.get(m.s);
  if (!chunker) streams.set(m.s, (chunker = new Chunker(init.params, init.gear)));
  if ('data' in m) return send(m.s, chunker.push(new Uint8Array(m.data)));
  streams.delete(m.s);
  if ('finish' in m) {
    send(m.s, chunker.finish());
    return post({ s: m.s, done: true });
  }
  const tail = own(chunker.pending());
  post({ s: m.s, tail }, [tail]);
}

port.on('message', (m: StreamRequest) => {
  try {
    handle(m);
  } catch (err) {
    streams.delete(m.s);
    post({ s: m.s, error: err instanceof Error ? err.message : String(err) });
  }
});
