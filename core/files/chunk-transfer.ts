// Chunks and their ids crossing between a chunking worker and the main thread: transferred, not copied.
import { ID_BYTES, type IdHasher } from '../store/hash.ts';

/** The bytes of `chunk` as an ArrayBuffer of their own, so they can be transferred (small Buffers share a pool). */
export function ownedBuffer(chunk: Uint8Array): ArrayBuffer {
  const ab = chunk.buffer as ArrayBuffer;
  return chunk.byteOffset === 0 && ab.byteLength === chunk.length ? ab : ab.slice(chunk.byteOffset, chunk.byteOffset + chunk.length);
}

/** The ids of `chunks`, packed back to back (ID_BYTES each) in one transferable buffer. */
export function packIds(hasher: IdHasher, chunks: Buffer[]): ArrayBuffer {
  return packIdList(chunks.map((c) => hasher.id(c)));
}

/** `ids` (ID_BYTES each) packed back to back in one transferable buffer. */
export function packIdList(ids: Buffer[]): ArrayBuffer {
  const packed = Buffer.allocUnsafeSlow(ids.length * ID_BYTES);
  ids.forEach((id, i) => id.copy(packed, i * ID_BYTES));
  return packed.buffer as ArrayBuffer;
}

/** The `count` ids packed by packIds. */
export function unpackIds(ids: ArrayBuffer, count: number): Buffer[] {
  const all = Buffer.from(ids);
  return Array.from({ length: count }, (_, i) => all.subarray(i * ID_BYTES, (i + 1) * ID_BYTES));
}
