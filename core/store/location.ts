// The 30-byte value of the `blobs` index: where a blob lives and how it is stored.
import type { BlobType } from './pack-format.ts';

/** Where one blob is stored. */
export interface BlobLocation {
  packId: string;
  /** Offset of the blob's 48-byte header in the pack. */
  offset: number;
  storedLength: number;
  rawLength: number;
  type: BlobType;
  compression: number;
}

export const LOCATION_BYTES = 30;

/** packId(16) offset u32 storedLength u32 rawLength u32 type u8 compression u8, little-endian. */
export function encodeLocation(l: BlobLocation): Buffer {
  const b = Buffer.alloc(LOCATION_BYTES);
  b.write(l.packId, 0, 16, 'hex');
  b.writeUInt32LE(l.offset, 16);
  b.writeUInt32LE(l.storedLength, 20);
  b.writeUInt32LE(l.rawLength, 24);
  b.writeUInt8(l.type, 28);
  b.writeUInt8(l.compression, 29);
  return b;
}

/** Reverses encodeLocation. */
export function decodeLocation(b: Buffer): BlobLocation {
  return {
    packId: b.toString('hex', 0, 16),
    offset: b.readUInt32LE(16),
    storedLength: b.readUInt32LE(20),
    rawLength: b.readUInt32LE(24),
    type: b.readUInt8(28) as BlobType,
    compression: b.readUInt8(29),
  };
}
