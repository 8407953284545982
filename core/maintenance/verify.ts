// `strata verify`: re-derives the archive from its bytes: index entries, blobs, trees, the snapshot chain.
import type { Archive } from '../archive.ts';
import { isVfsError } from '../errors.ts';
import { decodeChunks, ROOT_INO } from '../meta/inode.ts';
import { decodeLocation } from '../store/location.ts';
import { BLOB_HEADER_BYTES, BlobType, decodeBlobHeader } from '../store/pack-format.ts';
import { SnapshotCatalog } from '../snapshot/catalog.ts';
import { decodeSnapshot } from '../snapshot/snapshot-record.ts';
import { decodeTree } from '../snapshot/tree-object.ts';
import { joinPath } from '../vfs/path.ts';

/** One thing found wrong, naming the object and, for data, the files that use it. */
export interface Problem {
  object: string;
  message: string;
  files: string[];
}

/** The outcome of a verify run. */
export interface VerifyReport {
  ok: boolean;
  packs: number;
  blobs: number;
  blobsRead: number;
  bytesRead: number;
  snapshots: Array<{ name: string; id: string; tree: string; parent: string | null; ok: boolean }>;
  problems: Problem[];
}

/** Checks the whole archive; with `readData` every blob is read, authenticated and hashed. */
export async function verifyArchive(archive: Archive, readData: boolean, onBlob?: (done: number, total: number) => void): Promise<VerifyReport> {
  const { db, store } = archive;
  const report: VerifyReport = { ok: true, packs: 0, blobs: 0, blobsRead: 0, bytesRead: 0, snapshots: [], problems: [] };
  const damaged = new Map<string, Problem>();
  const mark = (id: string, message: string) => {
    if (!damaged.has(id)) damaged.set(id, { object: id, message, files: [] });
  };

  const packIds = new Set(await store.backend.list());
  const packRecords = new Map([...db.packs.getRange({})].map((e) => [e.key.toString('hex'), e.value]));
  report.packs = packRecords.size;
  for (const id of packRecords.keys()) if (!packIds.has(id)) report.problems.push({ object: `pack ${id}`, message: 'pack file is missing', files: [] });

  const entries = [...db.blobs.getRange({})].map((e) => ({ id: Buffer.from(e.key), loc: decodeLocation(e.value) }));
  entries.sort((a, b) => (a.loc.packId < b.loc.packId ? -1 : a.loc.packId > b.loc.packId ? 1 : a.loc.offset - b.loc.offset));
  report.blobs = entries.length;
  let done = 0;
  for (const { id, loc } of entries) {
    const hexId = id.toString('hex');
    done++;
    if (!packIds.has(loc.packId)) {
      mark(hexId, `its pack ${loc.packId} is missing`);
      continue;
    }
    try {
      if (readData) {
        await store.readAt(id, loc);
        report.blobsRead++;
        report.bytesRead += loc.storedLength;
      } else {
        const header = decodeBlobHeader(await store.backend.read(loc.packId, loc.offset, BLOB_HEADER_BYTES));
        if (!header || !header.id.equals(id) || header.storedLength !== loc.storedLength) mark(hexId, `pack ${loc.packId} has no such blob at offset ${loc.offset}`);
      }
    } catch (err) {
      mark(hexId, `in pack ${loc.packId} at offset ${loc.offset}: ${isVfsError(err) ? err.message : String(err)}`);
    }
    onBlob?.(done, entries.length);
  }

  const known = (id: Buffer) => store.locate(id) !== undefined;
  /** Names `path` on every damaged chunk it uses; returns whether all its chunks are sound. */
  const useChunks = (chunks: Buffer | undefined, path: string): boolean => {
    let sound = true;
    for (const c of decodeChunks(chunks)) {
      const h = c.id.toString('hex');
      if (!known(c.id)) mark(h, 'missing from the index');
      const bad = damaged.get(h);
      if (bad) {
        bad.files.push(path);
        sound = false;
      }
    }
    return sound;
  };

  // The live tree.
  const walkLive = (ino: number, path: string) => {
    for (const { name, ino: child } of archive.tree.list(ino)) {
      const node = archive.tree.get(child);
      const p = joinPath(path, name);
      if (!node) {
        report.problems.push({ object: `inode ${child}`, message: `directory entry ${p} points to a missing inode`, files: [p] });
        continue;
      }
      if (node.kind === 'file') useChunks(node.chunks, p);
      if (node.kind === 'dir') walkLive(child, p);
    }
  };
  if (archive.tree.get(ROOT_INO)) walkLive(ROOT_INO, '/');
  else report.problems.push({ object: 'live tree', message: 'the root directory is missing (run strata repair)', files: [] });

  // Snapshots: every tree re-read and re-hashed, shared subtrees checked once.
  const treesSeen = new Map<string, boolean>();
  const walkTree = async (treeId: Buffer, path: string): Promise<boolean> => {
    const h = treeId.toString('hex');
    const seen = treesSeen.get(h);
    if (seen !== undefined) return seen;
    let ok = true;
    try {
      for (const e of decodeTree(await store.get(treeId))) {
        const p = joinPath(path, e.name);
        if (e.kind === 'file' && !useChunks(e.chunks, p)) ok = false;
        if (e.kind === 'dir' && e.subtree && !(await walkTree(e.subtree, p))) ok = false;
      }
    } catch (err) {
      mark(h, `tree object unreadable: ${isVfsError(err) ? err.message : String(err)}`);
      damaged.get(h)!.files.push(path);
      ok = false;
    }
    treesSeen.set(h, ok);
    return ok;
  };
  const snapshotIds = new Set<string>();
  for (const snap of new SnapshotCatalog(db).list()) {
    let ok = true;
    try {
      const rec = decodeSnapshot(await store.get(Buffer.from(snap.id, 'hex')));
      if (rec.tree !== snap.tree || rec.name !== snap.name || rec.parent !== snap.parent) {
        report.problems.push({ object: `snapshot ${snap.name}`, message: 'catalog entry differs from the stored record', files: [] });
        ok = false;
      }
      if (rec.parent !== null && !snapshotIds.has(rec.parent)) {
        try {
          const parent = await store.get(Buffer.from(rec.parent, 'hex'));
          decodeSnapshot(parent);
        } catch (err) {
          report.problems.push({ object: `snapshot ${snap.name}`, message: `parent record ${rec.parent} is unreadable: ${String(err)}`, files: [] });
          ok = false;
        }
      }
      if (!(await walkTree(Buffer.from(rec.tree, 'hex'), `/.snapshots/${snap.name}`))) ok = false;
    } catch (err) {
      report.problems.push({ object: `snapshot ${snap.name}`, message: `record ${snap.id} unreadable: ${String(err)}`, files: [] });
      ok = false;
    }
    snapshotIds.add(snap.id);
    report.snapshots.push({ name: snap.name, id: snap.id, tree: snap.tree, parent: snap.parent, ok });
  }

  report.problems.push(...damaged.values());
  report.ok = report.problems.length === 0;
  return report;
}

/** Blob types by name, for messages. */
export const BLOB_TYPE_NAMES: Record<number, string> = { [BlobType.Data]: 'data', [BlobType.Tree]: 'tree', [BlobType.Snapshot]: 'snapshot' };
