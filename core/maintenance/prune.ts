// `strata prune`: mark what the live tree, open files and kept snapshots reference; delete packs
// that hold only garbage and repack those that are mostly garbage. Safe against writers in this process.
import type { Archive } from '../archive.ts';
import { decodeChunks, type Inode } from '../meta/inode.ts';
import { decodeLocation, type BlobLocation } from '../store/location.ts';
import { BlobType } from '../store/pack-format.ts';
import { SnapshotCatalog } from '../snapshot/catalog.ts';
import { decodeTree } from '../snapshot/tree-object.ts';

/** What prune found and did. */
export interface PruneReport {
  dryRun: boolean;
  blobs: number;
  blobsUnused: number;
  packsDeleted: number;
  packsRepacked: number;
  blobsMoved: number;
  bytesFreed: number;
}

/** Options: `extraRoots` are chunk ids held outside the tree (open files); `repackAbove` is the garbage share that triggers a repack. */
export interface PruneOptions {
  dryRun?: boolean;
  extraRoots?: () => Iterable<Buffer>;
  repackAbove?: number;
}

async function markTree(archive: Archive, tree: Buffer, used: Set<string>): Promise<void> {
  const key = tree.toString('hex');
  if (used.has(key)) return;
  used.add(key);
  for (const e of decodeTree(await archive.store.get(tree))) {
    if (e.kind === 'file') for (const c of decodeChunks(e.chunks)) used.add(c.id.toString('hex'));
    if (e.kind === 'dir' && e.subtree) await markTree(archive, e.subtree, used);
  }
}

/** Everything still referenced: live inodes (synchronously, one consistent read), their cached trees, kept snapshots, snapshot records. */
async function mark(archive: Archive, extraRoots: () => Iterable<Buffer>): Promise<Set<string>> {
  const used = new Set<string>();
  const liveTrees: Buffer[] = [];
  for (const { value } of archive.db.inodes.getRange({})) {
    const n = value as Inode;
    if (n.kind === 'file') for (const c of decodeChunks(n.chunks)) used.add(c.id.toString('hex'));
    if (n.tree) liveTrees.push(n.tree);
  }
  for (const id of extraRoots()) used.add(id.toString('hex'));
  for (const t of liveTrees) await markTree(archive, t, used);
  for (const s of new SnapshotCatalog(archive.db).list()) await markTree(archive, Buffer.from(s.tree, 'hex'), used);
  return used;
}

/** Pack files no index entry or pack record knows, untouched for an hour: left by a writer that died before its first commit. */
async function orphanPacks(archive: Archive): Promise<string[]> {
  const out: string[] = [];
  for (const id of await archive.store.backend.list()) {
    if (archive.db.packs.get(Buffer.from(id, 'hex')) || id === archive.store.openPackId()) continue;
    if ((await archive.store.backend.ageSeconds(id)) > 3600) out.push(id);
  }
  return out;
}

/** Runs prune; see PruneOptions. */
export async function pruneArchive(archive: Archive, opts: PruneOptions = {}): Promise<PruneReport> {
  const { store, db } = archive;
  const report: PruneReport = { dryRun: !!opts.dryRun, blobs: 0, blobsUnused: 0, packsDeleted: 0, packsRepacked: 0, blobsMoved: 0, bytesFreed: 0 };
  const endWrite = store.beginWrite();
  try {
    // Seal the pack being appended to: writes that land during prune go to a fresh pack, never to one prune may delete.
    if (!opts.dryRun) await store.commit(undefined, true);
    const orphans = await orphanPacks(archive);
    const used = await mark(archive, opts.extraRoots ?? (() => []));
    const byPack = new Map<string, { live: Array<{ id: Buffer; loc: BlobLocation }>; dead: Array<{ id: Buffer; loc: BlobLocation }>; deadBytes: number; bytes: number }>();
    const condemned = new Set<string>();
    const recent = store.recentlyPut();
    for (const { key, value } of db.blobs.getRange({})) {
      const id = Buffer.from(key);
      const loc = decodeLocation(value);
      const h = id.toString('hex');
      const keep = loc.type === BlobType.Snapshot || used.has(h) || recent.has(h);
      let p = byPack.get(loc.packId);
      if (!p) byPack.set(loc.packId, (p = { live: [], dead: [], deadBytes: 0, bytes: 0 }));
      p.bytes += loc.storedLength;
      report.blobs++;
      if (keep) p.live.push({ id, loc });
      else {
        p.dead.push({ id, loc });
        p.deadBytes += loc.storedLength;
        condemned.add(h);
      }
    }
    report.blobsUnused = condemned.size;
    // Condemn in the same synchronous step that read the index and `recent`: no put can slip between.
    if (!opts.dryRun) store.condemn(condemned);
    const open = store.openPackId();
    const doomed = [...byPack.entries()].filter(([id, p]) => id !== open && p.dead.length > 0 && (p.live.length === 0 || p.deadBytes / p.bytes >= (opts.repackAbove ?? 0.3)));
    for (const [, p] of doomed) {
      report.bytesFreed += p.deadBytes;
      if (p.live.length === 0) report.packsDeleted++;
      else {
        report.packsRepacked++;
        report.blobsMoved += p.live.length;
      }
    }
    report.packsDeleted += orphans.length;
    try {
      if (opts.dryRun) return report;
      for (const id of orphans) await store.backend.remove(id);
      if (doomed.length === 0) return report;
      for (const [, p] of doomed) for (const b of p.live) await store.copyBlob(b.id, b.loc);
      const doomedIds = new Set(doomed.map(([id]) => id));
      await store.commit(() => {
        for (const [, p] of doomed) {
          for (const b of p.dead) {
            const cur = db.blobs.get(b.id);
            if (cur && doomedIds.has(decodeLocation(cur).packId)) db.blobs.remove(b.id);
          }
        }
        for (const id of doomedIds) db.packs.remove(Buffer.from(id, 'hex'));
      }, true);
      for (const id of doomedIds) await store.backend.remove(id);
    } finally {
      store.condemn(null);
    }
    return report;
  } finally {
    endWrite();
  }
}
