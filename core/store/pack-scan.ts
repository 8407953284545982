// Reads a pack's blob list back from the pack alone: from its trailer, or by walking blob headers when unsealed.
import type { PackBackend } from './backend.ts';
import { BLOB_HEADER_BYTES, decodeBlobHeader, decodeFooter, decodeTrailer, FOOTER_BYTES, isPackHeader, PACK_HEADER_BYTES, type BlobEntry } from './pack-format.ts';

/** What a pack file holds, as far as its own bytes tell. */
export interface PackScan {
  entries: BlobEntry[];
  sealed: boolean;
  /** Bytes covered by whole blob records (the append point of an unsealed pack). */
  dataEnd: number;
  /** Why the scan stopped early, if it did. */
  problem?: string;
}

/** Lists a pack's blobs; uses the trailer when intact, else walks headers up to `limit` bytes. */
export async function scanPack(backend: PackBackend, packId: string, limit?: number): Promise<PackScan> {
  const size = limit ?? (await backend.size(packId));
  const head = await backend.read(packId, 0, PACK_HEADER_BYTES);
  if (!isPackHeader(head)) return { entries: [], sealed: false, dataEnd: 0, problem: 'bad pack header' };
  if (limit === undefined && size >= PACK_HEADER_BYTES + FOOTER_BYTES) {
    const footer = decodeFooter(await backend.read(packId, size - FOOTER_BYTES, FOOTER_BYTES));
    if (footer && footer.trailerLength + FOOTER_BYTES <= size - PACK_HEADER_BYTES) {
      const start = size - FOOTER_BYTES - footer.trailerLength;
      const entries = decodeTrailer(await backend.read(packId, start, footer.trailerLength), footer.checksum);
      if (entries) return { entries, sealed: true, dataEnd: start };
    }
  }
  return walkHeaders(backend, packId, size);
}

async function walkHeaders(backend: PackBackend, packId: string, size: number): Promise<PackScan> {
  const entries: BlobEntry[] = [];
  let pos = PACK_HEADER_BYTES;
  while (pos + BLOB_HEADER_BYTES <= size) {
    const e = decodeBlobHeader(await backend.read(packId, pos, BLOB_HEADER_BYTES));
    if (!e || e.offset !== pos) break;
    if (pos + BLOB_HEADER_BYTES + e.storedLength > size) return { entries, sealed: false, dataEnd: pos, problem: `truncated blob at ${pos}` };
    entries.push(e);
    pos += BLOB_HEADER_BYTES + e.storedLength;
  }
  return { entries, sealed: false, dataEnd: pos };
}
