// Chunks and their ids crossing between a chunking worker and the main thread: transferred, not copied.
import { ID_BYTES, type IdHasher } from '../store/hash.ts';

/** The bytes of `chunk` as an ArrayBuffer of their own, so they can be transferred (small Buffers share a pool). */
export function ownedBuffer(chunk: Uint8Array): ArrayBuffer {
  const ab = chunk.buffer as ArrayBuffer;
  return chunk.byteOffset === 0 && ab.byteLength === chunk.length ? ab : ab.slice(chunk.byteOffset, chunk.byteOffset + chunk.length);
}

/** The ids of `chunks`, packed back to back (ID_BYTES each) in one transferable buffer. */
export function packIds(hasher: IdHasher, chunks: Buffer[]): ArrayBuffer {
  const ids = Buffer.allocUnsafeSlow(chunks.length * ID_BYTES);
  chunks.forEach((c, i) => hasher.id(c).copy(ids, i * ID_BYTES));
  return ids.buffer as ArrayBuffer;
}

/** The `count` ids packed by packIds. */
export function unpackIds(ids: ArrayBuffer, count: number): Buffer[] {
  const all = Buffer.from(ids);
  return Array.from({ length: count }, (_, i) => all.subarray(i * ID_BYTES, (i + 1) * ID_BYTES));
}
