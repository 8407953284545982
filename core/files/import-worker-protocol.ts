// Messages between `strata import` and its chunking worker threads, and the shared in-flight byte budget.
import type { ChunkerParams } from '../store/chunker.ts';

/** What a worker starts with (its workerData). */
export interface WorkerInit {
  params: ChunkerParams;
  gear: Uint32Array;
  /** The archive's id key (keyed BLAKE3) when it is encrypted, else null (plain BLAKE3). */
  idKey: Uint8Array | null;
  /** Int32Array[1] over this: bytes handed to the main thread and not yet released by it. */
  budget: SharedArrayBuffer;
  /** A worker reads no further while the budget holds more than this many bytes. */
  limit: number;
}

/** Main thread → worker (in arrays, in order): chunk the file at `path`. */
export interface ChunkRequest {
  job: number;
  path: string;
}

/** Worker → main thread: the next chunks of job `job`, in order, with their ids (32 bytes each); `size` (the file's total bytes) marks its last batch. */
export interface ChunkBatch {
  job: number;
  chunks: ArrayBuffer[];
  ids: ArrayBuffer;
  size?: number;
}

/** Worker → main thread: job `job` failed. */
export interface ChunkFailure {
  job: number;
  error: string;
}

/** A worker → main thread reply; they are posted in arrays, in order. */
export type WorkerReply = ChunkBatch | ChunkFailure;
