// Messages between the main thread and the stream chunking worker (chunks and ids of uploads and writes).
import type { ChunkerParams } from '../store/chunker.ts';

/** What the worker starts with (its workerData). */
export interface StreamWorkerInit {
  params: ChunkerParams;
  gear: Uint32Array;
  /** The archive's id key (keyed BLAKE3) when it is encrypted, else null (plain BLAKE3). */
  idKey: Uint8Array | null;
}

/** Main thread → worker, about stream `s`: bytes to chunk, the end of the stream, or a request for its uncut tail (which ends it). */
export type StreamRequest = { s: number; data: ArrayBuffer } | { s: number; finish: true } | { s: number; drain: true };

/** Worker → main thread, about stream `s`: chunks with their ids, the end of a finished stream, the tail of a drained one, or a failure. */
export type StreamReply =
  | { s: number; chunks: ArrayBuffer[]; ids: ArrayBuffer }
  | { s: number; done: true }
  | { s: number; tail: ArrayBuffer }
  | { s: number; error: string };
