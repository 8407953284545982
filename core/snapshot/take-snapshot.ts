// Taking a snapshot: encode only the directories changed since the last one, store them, record the root.
import type { Archive } from '../archive.ts';
import { VfsError } from '../errors.ts';
import { ROOT_INO, type Inode } from '../meta/inode.ts';
import type { LiveTree } from '../meta/live-tree.ts';
import type { MetaDb } from '../meta/db.ts';
import { BlobType } from '../store/pack-format.ts';
import { encodeSnapshot, checkSnapshotName, type SnapshotInfo, type SnapshotRecord } from './snapshot-record.ts';
import { encodeTree, entryFromInode, type TreeEntry } from './tree-object.ts';
import { headSnapshotId, SnapshotCatalog } from './catalog.ts';
import { TaskPool } from '../util/task-pool.ts';

/** Directories whose tree ids are cached per transaction. */
const CACHE_BATCH = 256;

/** Tree objects being stored at once. */
const TREE_PUTS = 32;

interface PlannedTree {
  ino: number;
  bytes: Buffer;
  id: Buffer;
}

/** Encodes directory `ino`'s entries as they are now; child directories must have a tree id. */
function encodeDir(tree: LiveTree, ino: number, subtreeOf: (ino: number, node: Inode) => Buffer | undefined): Buffer | undefined {
  const entries: TreeEntry[] = [];
  let after: string | undefined;
  for (;;) {
    const page = tree.list(ino, after, 4096);
    for (const { name, ino: child } of page) {
      const node = tree.get(child);
      if (!node) continue;
      let subtree: Buffer | undefined;
      if (node.kind === 'dir') {
        subtree = subtreeOf(child, node);
        if (!subtree) return undefined;
      }
      entries.push(entryFromInode(name, node, subtree));
    }
    if (page.length < 4096) break;
    after = page[page.length - 1]!.name;
  }
  return encodeTree(entries);
}

/** A default snapshot name from the time: 2026-11-25_02.40.00 (UTC). */
export function defaultSnapshotName(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', '_').replace(/:/g, '.');
}

/**
 * Takes a snapshot of the live tree named `name` (default: from the clock). Cost grows with the
 * directories changed since the last snapshot: clean directories reuse their cached tree id.
 */
export async function takeSnapshot(archive: Archive, name?: string, clock: () => Date = () => new Date()): Promise<SnapshotInfo> {
  const { tree, store } = archive;
  const catalog = new SnapshotCatalog(archive.db);
  const now = clock();
  const chosen = name ?? catalog.freeName(defaultSnapshotName(now));
  const problem = checkSnapshotName(chosen);
  if (problem) throw new VfsError('EINVAL', 'snapshot', chosen, problem);
  if (catalog.get(chosen)) throw new VfsError('EEXIST', 'snapshot', chosen, 'a snapshot with this name exists');

  // Phase 1, synchronous so it reads one consistent state: encode every changed directory bottom-up.
  const plan: PlannedTree[] = [];
  const visit = (ino: number, node: Inode): Buffer => {
    if (node.tree) return node.tree;
    const bytes = encodeDir(tree, ino, visit)!;
    const id = store.codec.hasher.id(bytes);
    plan.push({ ino, bytes, id });
    return id;
  };
  const rootId = visit(ROOT_INO, tree.must(ROOT_INO, 'snapshot'));

  // Phase 2: store the trees and the record, then cache tree ids only where nothing changed meanwhile.
  const endWrite = store.beginWrite();
  try {
    return await storeSnapshot(archive, catalog, plan, chosen, rootId, now);
  } finally {
    endWrite();
  }
}

async function storeSnapshot(archive: Archive, catalog: SnapshotCatalog, plan: PlannedTree[], chosen: string, rootId: Buffer, now: Date): Promise<SnapshotInfo> {
  const { tree, store } = archive;
  // Many at once: each put waits on libuv's threads for zstd, and ids are known already.
  const puts = new TaskPool(TREE_PUTS);
  for (const p of plan) await puts.run(async () => void (await store.put(BlobType.Tree, p.bytes, p.id)));
  await puts.drain();
  const record: SnapshotRecord = { v: 1, name: chosen, time: now.toISOString(), tree: rootId.toString('hex'), parent: headSnapshotId(archive.db) };
  const recordBytes = encodeSnapshot(record);
  const { id } = await store.put(BlobType.Snapshot, recordBytes);
  const info: SnapshotInfo = { ...record, id: id.toString('hex') };
  await store.commit(() => {
    if (catalog.get(chosen)) throw new VfsError('EEXIST', 'snapshot', chosen, 'a snapshot with this name exists');
    catalog.add(info);
  });
  await cacheTreeIds(tree, archive.db.env, plan);
  return info;
}

/**
 * Records each planned directory's tree id as its cached id where re-encoding it now still gives the
 * same bytes (nothing changed meanwhile), bottom-up, CACHE_BATCH directories per transaction: LMDB
 * cannot reuse pages freed inside one transaction, so one transaction over every directory of a large
 * import would grow the metadata file by a copy of most inode pages. A crash in between only leaves
 * some directories to be re-encoded by the next snapshot.
 */
async function cacheTreeIds(tree: LiveTree, env: MetaDb['env'], plan: PlannedTree[]): Promise<void> {
  const cached = new Map<number, Buffer>();
  const current = (ino: number, node: Inode) => cached.get(ino) ?? node.tree;
  for (let at = 0; at < plan.length; at += CACHE_BATCH) {
    const slice = plan.slice(at, at + CACHE_BATCH);
    await env.transaction(() => {
      for (const p of slice) {
        const node = tree.get(p.ino);
        if (!node || node.kind !== 'dir' || node.tree) continue;
        const again = encodeDir(tree, p.ino, current);
        if (again && again.equals(p.bytes)) {
          tree.put(p.ino, { ...node, tree: p.id });
          cached.set(p.ino, p.id);
        }
      }
    });
  }
}
