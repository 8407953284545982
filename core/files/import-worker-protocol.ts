// Messages between `strata import` and its chunking worker threads, and the shared in-flight byte budget.
import type { ChunkerParams } from '../store/chunker.ts';

/** What a worker starts with (its workerData). */
export interface WorkerInit {
  params: ChunkerParams;
  gear: Uint32Array;
  /** The archive's id key (keyed BLAKE3) when it is encrypted, else null (plain BLAKE3). */
  idKey: Uint8Array | null;
  /** The archive's data key when it is encrypted, else null: chunks not yet stored are sealed here. */
  dataKey: Uint8Array | null;
  /** The metadata environment (meta/), opened read-only to skip encoding chunks the index already holds. */
  metaPath: string;
  /** Int32Array[1] over this: bytes handed to the main thread and not yet released by it. */
  budget: SharedArrayBuffer;
  /** A worker reads no further while the budget holds more than this many bytes. */
  limit: number;
}

/** Main thread → worker: close the metadata environment and exit. */
export interface WorkerClose {
  close: true;
}

/** Main thread → worker (in arrays, in order): chunk the file at `path`. */
export interface ChunkRequest {
  job: number;
  path: string;
}

/**
 * How a chunk crossed: its stored form (compressed as `compression`, sealed when encrypted), or its id
 * alone (`known`: the index held it when the worker looked, or the worker sent it encoded earlier).
 */
export type ChunkForm = { compression: number; rawLength: number } | { known: true; rawLength: number };

/**
 * Worker → main thread: the next chunks of job `job`, in order, with their ids (32 bytes each) and forms;
 * `size` (the file's total bytes) marks its last batch. A chunk the index already held when the worker
 * looked (or that the worker encoded earlier) comes as its id alone; any other comes encoded, ready to append.
 */
export interface ChunkBatch {
  job: number;
  /** Each chunk's stored bytes; null for a known chunk. */
  chunks: Array<ArrayBuffer | null>;
  ids: ArrayBuffer;
  forms: ChunkForm[];
  size?: number;
}

/** Worker → main thread: job `job` failed. */
export interface ChunkFailure {
  job: number;
  error: string;
}

/** A worker → main thread reply; they are posted in arrays, in order. */
export type WorkerReply = ChunkBatch | ChunkFailure;
