// Content ids: BLAKE3 of the plaintext, keyed with a secret when the archive is encrypted.
import { Blake3Hasher, blake3 } from '@napi-rs/blake-hash';

/** Length of every object id in bytes. */
export const ID_BYTES = 32;

/** Computes object ids; the keyed variant makes ids of an encrypted archive reveal nothing of its content. */
export interface IdHasher {
  /** The id of `data`. */
  id(data: Uint8Array): Buffer;
}

const asBuffer = (d: Uint8Array): Buffer => (Buffer.isBuffer(d) ? d : Buffer.from(d.buffer, d.byteOffset, d.byteLength));

/** Plain BLAKE3 (unencrypted archives). */
export function plainHasher(): IdHasher {
  return { id: (data) => blake3(asBuffer(data)) };
}

/** BLAKE3 keyed mode with a 32-byte secret (encrypted archives). */
export function keyedHasher(key: Buffer): IdHasher {
  if (key.length !== 32) throw new Error('id key must be 32 bytes');
  return { id: (data) => Blake3Hasher.newKeyed(key).update(asBuffer(data)).digestBuffer() };
}

/** The hasher of an archive: keyed with its id key when it is encrypted (`key` non-null), plain otherwise. */
export function archiveHasher(key: Uint8Array | null): IdHasher {
  return key ? keyedHasher(asBuffer(key)) : plainHasher();
}

/** Lower-case hex of an id. */
export function hex(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex');
}
