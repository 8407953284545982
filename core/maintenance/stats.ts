// `strata stats`: logical size of the live tree against what the packs hold.
import type { Archive } from '../archive.ts';
import type { Inode } from '../meta/inode.ts';
import { decodeLocation } from '../store/location.ts';
import { SnapshotCatalog } from '../snapshot/catalog.ts';

/** Sizes and ratios of one archive. */
export interface ArchiveStats {
  files: number;
  dirs: number;
  logicalBytes: number;
  /** Distinct chunk bytes before compression. */
  uniqueBytes: number;
  /** Bytes of all blobs as stored (compressed, sealed). */
  blobBytes: number;
  /** Bytes of the pack files on disk. */
  storedBytes: number;
  dedupRatio: number;
  compressionRatio: number;
  chunks: number;
  packs: number;
  snapshots: number;
}

/** Computes the archive's stats (walks every inode and index entry). */
export async function archiveStats(archive: Archive): Promise<ArchiveStats> {
  const { db } = archive;
  let files = 0;
  let dirs = 0;
  let logicalBytes = 0;
  for (const { value } of db.inodes.getRange({})) {
    const n = value as Inode;
    if (n.kind === 'file') {
      files++;
      logicalBytes += n.size;
    } else if (n.kind === 'dir') dirs++;
  }
  let uniqueBytes = 0;
  let blobBytes = 0;
  let chunks = 0;
  for (const { value } of db.blobs.getRange({})) {
    const loc = decodeLocation(value);
    uniqueBytes += loc.rawLength;
    blobBytes += loc.storedLength;
    chunks++;
  }
  let storedBytes = 0;
  let packs = 0;
  for (const { value } of db.packs.getRange({})) {
    storedBytes += value.length;
    packs++;
  }
  const ratio = (a: number, b: number) => (b === 0 ? 1 : Math.round((a / b) * 100) / 100);
  return {
    files, dirs, logicalBytes, uniqueBytes, blobBytes, storedBytes,
    dedupRatio: ratio(logicalBytes, uniqueBytes), compressionRatio: ratio(uniqueBytes, blobBytes),
    chunks, packs, snapshots: new SnapshotCatalog(db).list().length,
  };
}
