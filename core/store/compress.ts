// Per-blob zstd compression, skipped when it does not pay (README: "Choices measured").
import { createRequire } from 'node:module';
import { decompress as zstdDecompress } from '@mongodb-js/zstd';

/** The package's native binding: its `compress` wrapper drops the level argument, the binding takes it. */
const binding = createRequire(import.meta.url)('@mongodb-js/zstd/bindings.js') as { compress(data: Buffer, level: number): Promise<Buffer> };

/** zstd-compresses `data` at `level` on libuv's threads. */
async function zstdCompress(data: Buffer, level: number): Promise<Buffer> {
  try {
    return await binding.compress(data, level);
  } catch (err) {
    throw new Error(`zstd: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** How a blob's bytes are stored. */
export const enum Compression {
  None = 0,
  Zstd = 1,
}

/**
 * zstd levels: large blobs (file chunks, most of the bytes) at the fastest level, small ones (small files,
 * tree objects; few bytes, so the effort costs little) at the default. `bench/compress` measures both.
 */
export const LARGE_BLOB_LEVEL = 1;
export const SMALL_BLOB_LEVEL = 3;

/** A blob must shrink by at least this fraction for the compressed form to be kept. */
const MIN_SAVING = 1 / 32;

/** Blobs larger than this are large: probed on samples first (compressing what will not shrink costs more than anything else on the write path), then compressed at LARGE_BLOB_LEVEL. */
const PROBE_ABOVE = 256 * 1024;
const PROBE_SAMPLE = 16 * 1024;

/** True when samples from the start, middle and end of `raw` shrink by at least MIN_SAVING together. */
async function looksCompressible(raw: Buffer): Promise<boolean> {
  const mid = (raw.length >> 1) - (PROBE_SAMPLE >> 1);
  const sample = Buffer.concat([raw.subarray(0, PROBE_SAMPLE), raw.subarray(mid, mid + PROBE_SAMPLE), raw.subarray(raw.length - PROBE_SAMPLE)]);
  return (await zstdCompress(sample, LARGE_BLOB_LEVEL)).length <= sample.length * (1 - MIN_SAVING);
}

/** Compresses `raw`; returns it unchanged (Compression.None) when zstd saves less than ~3% (judged on samples for large blobs). */
export async function compressBlob(raw: Buffer): Promise<{ data: Buffer; compression: Compression }> {
  if (raw.length < 64) return { data: raw, compression: Compression.None };
  if (raw.length > PROBE_ABOVE && !(await looksCompressible(raw))) return { data: raw, compression: Compression.None };
  const packed = await zstdCompress(raw, raw.length > PROBE_ABOVE ? LARGE_BLOB_LEVEL : SMALL_BLOB_LEVEL);
  if (packed.length > raw.length * (1 - MIN_SAVING)) return { data: raw, compression: Compression.None };
  return { data: packed, compression: Compression.Zstd };
}

/** Reverses compressBlob. */
export async function decompressBlob(data: Buffer, compression: Compression): Promise<Buffer> {
  if (compression === Compression.None) return data;
  if (compression === Compression.Zstd) return zstdDecompress(data);
  throw new Error(`unknown compression ${compression as number}`);
}
