// `strata repair`: rebuilds the LMDB index from the pack files alone, and the snapshot catalog and
// live tree too when the metadata store was lost.
import type { Archive } from '../archive.ts';
import { ROOT_INO, nowNs, type Inode } from '../meta/inode.ts';
import { encodeLocation } from '../store/location.ts';
import { BlobType } from '../store/pack-format.ts';
import { scanPack } from '../store/pack-scan.ts';
import { SnapshotCatalog } from '../snapshot/catalog.ts';
import { decodeSnapshot, type SnapshotInfo } from '../snapshot/snapshot-record.ts';
import { decodeTree, inodeFromEntry } from '../snapshot/tree-object.ts';

/** What repair did. */
export interface RepairReport {
  packs: number;
  blobs: number;
  unreadablePacks: string[];
  snapshotsRecovered: number;
  liveTreeRestoredFrom: string | null;
}

/** Rebuilds the blob and pack index from the packs; restores catalog and live tree when they are gone. */
export async function repairArchive(archive: Archive): Promise<RepairReport> {
  const { db, store } = archive;
  const report: RepairReport = { packs: 0, blobs: 0, unreadablePacks: [], snapshotsRecovered: 0, liveTreeRestoredFrom: null };
  const snapshotBlobs: Buffer[] = [];
  await db.env.transaction(() => {
    db.blobs.clearSync();
    db.packs.clearSync();
  });
  for (const packId of await store.backend.list()) {
    const scan = await scanPack(store.backend, packId).catch(() => null);
    if (!scan || scan.problem === 'bad pack header') {
      report.unreadablePacks.push(packId);
      continue;
    }
    report.packs++;
    await db.env.transaction(() => {
      for (const e of scan.entries) {
        if (db.blobs.get(e.id)) continue;
        db.blobs.put(e.id, encodeLocation({ packId, offset: e.offset, storedLength: e.storedLength, rawLength: e.rawLength, type: e.type, compression: e.compression }));
        report.blobs++;
        if (e.type === BlobType.Snapshot) snapshotBlobs.push(e.id);
      }
      db.packs.put(Buffer.from(packId, 'hex'), { sealed: scan.sealed, length: scan.dataEnd, blobs: scan.entries.length, writer: 0 });
    });
  }

  const catalog = new SnapshotCatalog(db);
  if (catalog.list().length === 0 && snapshotBlobs.length > 0) {
    const infos: SnapshotInfo[] = [];
    for (const id of snapshotBlobs) {
      try {
        infos.push({ ...decodeSnapshot(await store.get(id)), id: id.toString('hex') });
      } catch {
        /* a damaged record is reported by verify */
      }
    }
    infos.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    await db.env.transaction(() => infos.forEach((i) => catalog.add(i)));
    report.snapshotsRecovered = infos.length;
  }

  if (!archive.tree.get(ROOT_INO)) {
    const newest = catalog.list().at(-1);
    await restoreLiveTree(archive, newest ? Buffer.from(newest.tree, 'hex') : null);
    report.liveTreeRestoredFrom = newest?.name ?? null;
  }
  return report;
}

/** Recreates the live tree from a snapshot's root tree (or an empty root), every directory clean. */
async function restoreLiveTree(archive: Archive, rootTree: Buffer | null): Promise<void> {
  const { db, store } = archive;
  const now = nowNs();
  const root: Inode = { kind: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, atime: now, mtime: now, ctime: now, btime: now, parent: ROOT_INO };
  let next = ROOT_INO + 1;
  const pending: Array<() => void> = [() => db.inodes.put(ROOT_INO, rootTree ? { ...root, tree: rootTree } : root)];
  const walk = async (treeId: Buffer, dirIno: number) => {
    for (const e of decodeTree(await store.get(treeId))) {
      const ino = next++;
      const node = inodeFromEntry(e, dirIno);
      pending.push(() => {
        db.inodes.put(ino, node);
        db.dirents.put([dirIno, e.name], ino);
      });
      if (e.kind === 'dir' && e.subtree) await walk(e.subtree, ino);
    }
  };
  if (rootTree) await walk(rootTree, ROOT_INO);
  await db.env.transaction(() => {
    pending.forEach((m) => m());
    db.state.put('nextIno', next);
  });
}
