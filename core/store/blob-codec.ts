// Turns a blob's plaintext into its stored bytes and back: compress, then seal when encrypted; ids are checked on the way out.
import { CorruptionError } from '../errors.ts';
import { AuthError, open, seal } from './aead.ts';
import { compressBlob, decompressBlob } from './compress.ts';
import { hex, type IdHasher } from './hash.ts';
import type { BlobType } from './pack-format.ts';

/** A blob ready to append: id, stored bytes and how they are stored. */
export interface EncodedBlob {
  id: Buffer;
  stored: Buffer;
  compression: number;
  rawLength: number;
}

/** Encodes and decodes blobs for one archive (its id hasher and, when encrypted, its data key). */
export class BlobCodec {
  constructor(readonly hasher: IdHasher, private readonly dataKey: Buffer | null) {}

  /** The AEAD associated data of a blob: binds the ciphertext to its type and id. */
  static aad(type: BlobType, id: Buffer): Buffer {
    return Buffer.concat([Buffer.from('strata/v1/blob'), Buffer.from([type]), id]);
  }

  /** Compresses (when it pays) and seals (when encrypted) `raw` whose id is `id`. */
  async encode(type: BlobType, id: Buffer, raw: Buffer): Promise<EncodedBlob> {
    const { data, compression } = await compressBlob(raw);
    const stored = this.dataKey ? seal(this.dataKey, data, BlobCodec.aad(type, id)) : data;
    return { id, stored, compression, rawLength: raw.length };
  }

  /** Opens, decompresses and checks stored bytes; throws CorruptionError unless they are exactly blob `id`. */
  async decode(type: BlobType, id: Buffer, stored: Buffer, compression: number, rawLength: number): Promise<Buffer> {
    const name = hex(id);
    let data = stored;
    if (this.dataKey) {
      try {
        data = open(this.dataKey, stored, BlobCodec.aad(type, id), name);
      } catch (err) {
        if (err instanceof AuthError) throw new CorruptionError(name, 'authentication failed');
        throw err;
      }
    }
    let raw: Buffer;
    try {
      raw = await decompressBlob(data, compression);
    } catch {
      throw new CorruptionError(name, 'does not decompress');
    }
    if (raw.length !== rawLength || !this.hasher.id(raw).equals(id)) throw new CorruptionError(name, 'content hash mismatch');
    return raw;
  }
}
