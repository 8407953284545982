// `strata import`: copies a directory tree from the local disk into the live tree, streaming every file.
import type { BigIntStats } from 'node:fs';
import { lstat, opendir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Archive } from '../archive.ts';
import { VfsError } from '../errors.ts';
import { encodeChunks, type Inode, type InodeKind } from '../meta/inode.ts';
import { splitPath } from '../vfs/path.ts';
import { readFilePieces, storeStream } from './content.ts';
import { TaskPool } from '../util/task-pool.ts';

/** Running totals reported while importing. */
export interface ImportProgress {
  files: number;
  dirs: number;
  bytes: number;
  addedBytes: number;
}

/** Files read at once: overlaps disk reads with chunking and compression on both cores. */
const FILE_CONCURRENCY = 3;
/** Commit metadata at least this often (files, bytes). */
const BATCH_FILES = 500;
const BATCH_BYTES = 256 * 1024 * 1024;

type Mutation = () => void;

function inodeFrom(kind: InodeKind, st: BigIntStats, parent: number): Inode {
  return {
    kind,
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: kind === 'file' ? Number(st.size) : 0,
    atime: st.atimeNs,
    mtime: st.mtimeNs,
    ctime: st.ctimeNs,
    btime: st.birthtimeNs > 0n ? st.birthtimeNs : st.mtimeNs,
    parent,
  };
}

/** Imports `src` (a directory) into the archive at `to`, creating `to` as needed. */
export async function importTree(archive: Archive, src: string, to: string, onProgress?: (p: ImportProgress) => void): Promise<ImportProgress> {
  const rootNames = splitPath(to, 'import');
  const progress: ImportProgress = { files: 0, dirs: 0, bytes: 0, addedBytes: 0 };
  let batch: Mutation[] = [];
  let batchBytes = 0;
  const flush = async () => {
    const todo = batch;
    batch = [];
    batchBytes = 0;
    await archive.store.commit(() => todo.forEach((m) => m()));
  };
  const queue = async (m: Mutation, bytes = 0) => {
    batch.push(m);
    batchBytes += bytes;
    if (batch.length >= BATCH_FILES || batchBytes >= BATCH_BYTES) await flush();
  };

  const srcStat = await lstat(src, { bigint: true });
  if (!srcStat.isDirectory()) throw new Error(`${src} is not a directory`);
  for (let i = 0; i < rootNames.length; i++) await queue(() => upsert(archive, rootNames.slice(0, i), rootNames[i]!, inodeFrom('dir', srcStat, 0)));

  const pool = new TaskPool(FILE_CONCURRENCY);
  const importFile = async (path: string, names: string[], st: BigIntStats) => {
    const content = await storeStream(archive.store, archive.newChunker(), readFilePieces(path));
    progress.files++;
    progress.bytes += content.size;
    progress.addedBytes += content.addedBytes;
    onProgress?.(progress);
    const node = { ...inodeFrom('file', st, 0), size: content.size, chunks: encodeChunks(content.refs) };
    await queue(() => upsert(archive, names.slice(0, -1), names[names.length - 1]!, node), content.size);
  };

  const dirs: Array<{ path: string; names: string[] }> = [{ path: src, names: rootNames }];
  for (let d = dirs.shift(); d; d = dirs.shift()) {
    const st = await lstat(d.path, { bigint: true });
    const names = d.names;
    if (names.length > 0) await queue(() => upsert(archive, names.slice(0, -1), names[names.length - 1]!, inodeFrom('dir', st, 0)));
    else await queue(() => updateRootMeta(archive, inodeFrom('dir', st, 0)));
    progress.dirs++;
    for await (const ent of await opendir(d.path)) {
      const path = join(d.path, ent.name);
      const childNames = [...names, ent.name];
      if (ent.isDirectory()) dirs.push({ path, names: childNames });
      else if (ent.isSymbolicLink()) {
        const lst = await lstat(path, { bigint: true });
        const target = await readlink(path);
        await queue(() => upsert(archive, names, ent.name, { ...inodeFrom('symlink', lst, 0), size: Buffer.byteLength(target), target }));
      } else if (ent.isFile()) {
        const fst = await lstat(path, { bigint: true });
        await pool.run(() => importFile(path, childNames, fst));
      }
    }
  }
  await pool.drain();
  await flush();
  return progress;
}

function updateRootMeta(archive: Archive, meta: Inode): void {
  const { ino, node } = archive.tree.resolve([], 'import');
  archive.tree.put(ino, { ...node, mode: meta.mode, uid: meta.uid, gid: meta.gid, mtime: meta.mtime, atime: meta.atime });
  archive.tree.touchDir(ino);
}

/** Creates or replaces the entry `name` in the directory at `dirNames` (write transaction). */
function upsert(archive: Archive, dirNames: string[], name: string, node: Inode): void {
  const tree = archive.tree;
  const parent = tree.resolve(dirNames, 'import');
  if (parent.node.kind !== 'dir') throw new VfsError('ENOTDIR', 'import', '/' + dirNames.join('/'));
  const existing = tree.lookup(parent.ino, name);
  const placed = { ...node, parent: parent.ino };
  if (existing === undefined) {
    const ino = tree.allocIno();
    tree.put(ino, placed);
    tree.link(parent.ino, name, ino);
    return;
  }
  const old = tree.must(existing, 'import', name);
  if (old.kind !== node.kind) throw new VfsError('EEXIST', 'import', '/' + [...dirNames, name].join('/'), `exists as a ${old.kind}`);
  // A directory's own tree object encodes its entries, not its metadata: keep it while they are unchanged.
  tree.put(existing, { ...placed, btime: old.btime, ...(old.tree ? { tree: old.tree } : {}) });
  tree.touchDir(parent.ino);
}
