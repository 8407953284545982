// `strata log`: the versions of one path across snapshots and the live tree.
import { blake3 } from '@napi-rs/blake-hash';
import type { Archive } from '../archive.ts';
import { isVfsError } from '../errors.ts';
import { liveTreeReader, snapshotTreeReader, type TreeReader } from '../files/tree-reader.ts';
import { SnapshotCatalog } from './catalog.ts';

/** One version of a path: where it was seen and what it was. */
export interface PathVersion {
  snapshot: string | null;
  time: string;
  kind: 'file' | 'dir' | 'symlink' | 'absent';
  size: number;
  mtime: string | null;
  /** Short hash of the content (chunk list, or symlink target); equal hashes mean equal bytes. */
  contentHash: string | null;
  changed: boolean;
}

async function versionIn(reader: TreeReader, path: string): Promise<Omit<PathVersion, 'snapshot' | 'time' | 'changed'>> {
  try {
    const e = await reader.lookup(path);
    const n = e.node;
    const content = n.kind === 'file' ? n.chunks ?? Buffer.alloc(0) : n.kind === 'symlink' ? Buffer.from(n.target ?? '') : null;
    return { kind: n.kind, size: n.size, mtime: new Date(Number(n.mtime / 1000000n)).toISOString(), contentHash: content ? blake3(content).toString('hex').slice(0, 16) : null };
  } catch (err) {
    if (isVfsError(err, 'ENOENT') || isVfsError(err, 'ENOTDIR')) return { kind: 'absent', size: 0, mtime: null, contentHash: null };
    throw err;
  }
}

/** Every snapshot's version of `path`, oldest first, then the live tree's; `changed` marks a difference from the previous. */
export async function pathLog(archive: Archive, path: string): Promise<PathVersion[]> {
  const out: PathVersion[] = [];
  const add = (snapshot: string | null, time: string, v: Omit<PathVersion, 'snapshot' | 'time' | 'changed'>) => {
    const prev = out[out.length - 1];
    const changed = !prev || prev.kind !== v.kind || prev.contentHash !== v.contentHash || prev.size !== v.size;
    out.push({ snapshot, time, ...v, changed });
  };
  for (const s of new SnapshotCatalog(archive.db).list()) {
    add(s.name, s.time, await versionIn(snapshotTreeReader(archive.store, Buffer.from(s.tree, 'hex')), path));
  }
  add(null, new Date().toISOString(), await versionIn(liveTreeReader(archive.tree), path));
  return out;
}
