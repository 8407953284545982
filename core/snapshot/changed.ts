// Whether the live tree changed since the last snapshot (the root's cached tree id is cleared by any change).
import type { Archive } from '../archive.ts';
import { ROOT_INO } from '../meta/inode.ts';
import { headSnapshotId, SnapshotCatalog } from './catalog.ts';

/** True when a snapshot now would differ from the newest one. */
export function changedSinceLastSnapshot(archive: Archive): boolean {
  const root = archive.tree.get(ROOT_INO);
  if (!root?.tree || headSnapshotId(archive.db) === null) return true;
  const newest = new SnapshotCatalog(archive.db).list().at(-1);
  return !newest || newest.tree !== root.tree.toString('hex');
}
