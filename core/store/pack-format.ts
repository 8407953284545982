// Byte layout of pack files: header, blob records, index trailer, footer (docs/FORMAT.md §Packs).
import { blake3 } from '@napi-rs/blake-hash';
import { ID_BYTES } from './hash.ts';

/** What a blob holds. */
export const enum BlobType {
  Data = 1,
  Tree = 2,
  Snapshot = 3,
}

export const PACK_MAGIC = Buffer.from('STRATAPK');
export const PACK_END_MAGIC = Buffer.from('STRPKEND');
export const PACK_HEADER_BYTES = 16;
export const BLOB_HEADER_BYTES = 48;
export const FOOTER_BYTES = 4 + 8 + 8;
const BLOB_MAGIC = 0x424c; // "LB" little-endian: guards header scans after a crash

/** One blob's place and shape inside a pack. */
export interface BlobEntry {
  type: BlobType;
  compression: number;
  rawLength: number;
  storedLength: number;
  /** Offset of the blob's header in the pack file. */
  offset: number;
  id: Buffer;
}

/** The 16-byte pack header: magic, format version, reserved zeros. */
export function encodePackHeader(): Buffer {
  const b = Buffer.alloc(PACK_HEADER_BYTES);
  PACK_MAGIC.copy(b, 0);
  b[8] = 1;
  return b;
}

/** Checks a pack header. */
export function isPackHeader(b: Buffer): boolean {
  return b.length >= PACK_HEADER_BYTES && b.subarray(0, 8).equals(PACK_MAGIC) && b[8] === 1;
}

/** The 48-byte record header before each blob (also the trailer entry layout). */
export function encodeBlobHeader(e: BlobEntry, target = Buffer.alloc(BLOB_HEADER_BYTES), at = 0): Buffer {
  target.writeUInt8(e.type, at);
  target.writeUInt8(e.compression, at + 1);
  target.writeUInt16LE(BLOB_MAGIC, at + 2);
  target.writeUInt32LE(e.rawLength, at + 4);
  target.writeUInt32LE(e.storedLength, at + 8);
  target.writeUInt32LE(e.offset, at + 12);
  e.id.copy(target, at + 16, 0, ID_BYTES);
  return target;
}

/** Decodes a blob header; returns null when the bytes are not one. */
export function decodeBlobHeader(b: Buffer, at = 0): BlobEntry | null {
  if (b.length - at < BLOB_HEADER_BYTES || b.readUInt16LE(at + 2) !== BLOB_MAGIC) return null;
  const type = b.readUInt8(at);
  if (type < BlobType.Data || type > BlobType.Snapshot) return null;
  return {
    type,
    compression: b.readUInt8(at + 1),
    rawLength: b.readUInt32LE(at + 4),
    storedLength: b.readUInt32LE(at + 8),
    offset: b.readUInt32LE(at + 12),
    id: Buffer.from(b.subarray(at + 16, at + 16 + ID_BYTES)),
  };
}

/** The trailer (count u32 LE, then one 48-byte entry per blob) and the footer that locates it. */
export function encodeTrailer(entries: BlobEntry[]): Buffer {
  const body = Buffer.alloc(4 + entries.length * BLOB_HEADER_BYTES);
  body.writeUInt32LE(entries.length, 0);
  entries.forEach((e, i) => encodeBlobHeader(e, body, 4 + i * BLOB_HEADER_BYTES));
  const footer = Buffer.alloc(FOOTER_BYTES);
  footer.writeUInt32LE(body.length, 0);
  blake3(body).copy(footer, 4, 0, 8);
  PACK_END_MAGIC.copy(footer, 12);
  return Buffer.concat([body, footer]);
}

/** Reads the footer; returns the trailer's length and checksum, or null when the pack is unsealed. */
export function decodeFooter(footer: Buffer): { trailerLength: number; checksum: Buffer } | null {
  if (footer.length !== FOOTER_BYTES || !footer.subarray(12).equals(PACK_END_MAGIC)) return null;
  return { trailerLength: footer.readUInt32LE(0), checksum: footer.subarray(4, 12) };
}

/** Decodes a trailer body; returns null when its checksum or shape is wrong. */
export function decodeTrailer(body: Buffer, checksum: Buffer): BlobEntry[] | null {
  if (!blake3(body).subarray(0, 8).equals(checksum) || body.length < 4) return null;
  const count = body.readUInt32LE(0);
  if (body.length !== 4 + count * BLOB_HEADER_BYTES) return null;
  const out: BlobEntry[] = [];
  for (let i = 0; i < count; i++) {
    const e = decodeBlobHeader(body, 4 + i * BLOB_HEADER_BYTES);
    if (!e) return null;
    out.push(e);
  }
  return out;
}
