// Stream chunking worker thread: cuts the bytes of many concurrent streams into content-defined
// chunks and computes their ids, off the main thread; chunk bytes travel back without copying.
import { parentPort, workerData } from 'node:worker_threads';
import { Chunker } from '../store/chunker.ts';
import { archiveHasher } from '../store/hash.ts';
import { ownedBuffer, packIds } from './chunk-transfer.ts';
import type { StreamReply, StreamRequest, StreamWorkerInit } from './stream-worker-protocol.ts';

const init = workerData as StreamWorkerInit;
const port = parentPort!;
const hasher = archiveHasher(init.idKey);
const streams = new Map<number, Chunker>();

function post(reply: StreamReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(reply, transfer);
}

/** Sends `chunks` of stream `s` with their ids. */
function send(s: number, chunks: Buffer[]): void {
  if (chunks.length === 0) return;
  const ids = packIds(hasher, chunks);
  const buffers = chunks.map(ownedBuffer);
  post({ s, chunks: buffers, ids }, [...buffers, ids]);
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
  const tail = ownedBuffer(chunker.pending());
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
