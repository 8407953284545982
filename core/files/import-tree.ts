// `strata import`: copies a directory tree from the local disk into the live tree; worker threads read and chunk the files.
import { lstatSync, opendirSync, readlinkSync, type BigIntStats } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Archive } from '../archive.ts';
import { VfsError } from '../errors.ts';
import { encodeChunks, ROOT_INO, type Inode, type InodeKind } from '../meta/inode.ts';
import { splitPath } from '../vfs/path.ts';
import { ChunkingPool } from './import-worker-pool.ts';
import { ChunkStorer } from './import-worker-store.ts';
import { TaskPool } from '../util/task-pool.ts';

/** Running totals reported while importing. */
export interface ImportProgress {
  files: number;
  dirs: number;
  bytes: number;
  addedBytes: number;
  /** Files left unread because the target already held them with the same size, mtime and ctime. */
  skipped: number;
}

/**
 * Chunking worker threads. New data is bound by the main thread (hashing, encryption, writes) and zstd
 * on libuv's threads, and workers wait for room then; already-stored data is bound by chunking, where two
 * help. More than two would outrun the main thread.
 */
const WORKERS = Math.min(2, availableParallelism());
/** Files handed to the workers at once: enough queued that small files do not wait on round trips. */
const FILE_CONCURRENCY = 32;
/**
 * Chunk bytes being stored at once: about ten average chunks. Each put waits on libuv's threads twice
 * (zstd, then its turn in the serial pack append), so more in flight keeps the main thread fed; each
 * also holds its compressed and sealed copies, so this bounds memory too.
 */
const PUT_WINDOW_BYTES = 12 * 1024 * 1024;
/** Chunks being stored at once, whatever their size: small files pass through many at a time. */
const MAX_PUTS = 32;
/** Chunk bytes cut but not yet stored before the workers pause reading: bounds memory whatever the tree's size. */
const INFLIGHT_BYTES = 8 * 1024 * 1024;
/** Commit metadata at least this often (entries written, bytes): each commit syncs the packs and LMDB. */
const BATCH_FILES = 2000;
const BATCH_BYTES = 256 * 1024 * 1024;

type Mutation = () => void;

/** Longest the walk runs without letting the event loop deliver chunks and finished writes, ms. */
const WALK_SLICE_MS = 2;

/** Lets the event loop run now and then during a walk that otherwise yields only to microtasks (unchanged files cost no I/O). */
class Turn {
  private until = performance.now() + WALK_SLICE_MS;

  /** Yields to the event loop (I/O callbacks included) once the walk has run for a slice. */
  async maybeYield(): Promise<void> {
    if (performance.now() < this.until) return;
    await new Promise<void>((resume) => setImmediate(resume));
    this.until = performance.now() + WALK_SLICE_MS;
  }
}

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

/** The inode number of directory `name` in directory `parent` of the existing target, or undefined when there is none. */
function existingDir(archive: Archive, parent: number | undefined, name: string): number | undefined {
  const ino = parent === undefined ? undefined : archive.tree.lookup(parent, name);
  return ino !== undefined && archive.tree.get(ino)?.kind === 'dir' ? ino : undefined;
}

/** The inode number of the existing directory at `names` (the import target), or undefined when there is none. */
function existingTarget(archive: Archive, names: string[]): number | undefined {
  let ino: number | undefined = ROOT_INO;
  for (const name of names) ino = existingDir(archive, ino, name);
  return ino;
}

/** The existing entry for file `name` in directory `dir` when it has the size, mtime and ctime of `st` (unchanged, as restic judges it). */
function unchangedFile(archive: Archive, dir: number | undefined, name: string, st: BigIntStats): Inode | undefined {
  const ino = dir === undefined ? undefined : archive.tree.lookup(dir, name);
  const old = ino === undefined ? undefined : archive.tree.get(ino);
  if (!old || old.kind !== 'file' || !old.chunks || old.size !== Number(st.size) || old.mtime !== st.mtimeNs || old.ctime !== st.ctimeNs) return undefined;
  return old;
}

/** Imports `src` (a directory) into the archive at `to`, creating `to` as needed; files unchanged since a previous import there are not read. */
export async function importTree(archive: Archive, src: string, to: string, onProgress?: (p: ImportProgress) => void): Promise<ImportProgress> {
  const rootNames = splitPath(to, 'import');
  const srcStat = lstatSync(src, { bigint: true });
  if (!srcStat.isDirectory()) throw new Error(`${src} is not a directory`);
  const progress: ImportProgress = { files: 0, dirs: 0, bytes: 0, addedBytes: 0, skipped: 0 };
  const encoding = { params: archive.chunkerParams, gear: archive.gearTable, idKey: archive.keys?.idKey ?? null, dataKey: archive.keys?.dataKey ?? null, metaPath: archive.metaPath };
  const chunking = new ChunkingPool(encoding, WORKERS, INFLIGHT_BYTES);
  const storer = new ChunkStorer(archive.store, chunking, PUT_WINDOW_BYTES, MAX_PUTS);
  const pool = new TaskPool(FILE_CONCURRENCY);
  let batch: Mutation[] = [];
  let batchBytes = 0;
  let committing: Promise<void> = Promise.resolve();
  /** Starts committing the batch; waits only for the commit before it, so reading and chunking go on meanwhile. */
  const flush = async () => {
    const todo = batch;
    batch = [];
    batchBytes = 0;
    const previous = committing;
    committing = archive.store.commit(() => todo.forEach((m) => m()));
    committing.catch(() => undefined);
    await previous;
  };
  const queue = async (m: Mutation, bytes = 0) => {
    batch.push(m);
    batchBytes += bytes;
    if (batch.length >= BATCH_FILES || batchBytes >= BATCH_BYTES) await flush();
  };
  /** Counts a file and records it, unless it is `old` (the unread, unchanged entry) exactly: then there is nothing to write. */
  const addFile = async (names: string[], node: Inode, addedBytes: number, old?: Inode) => {
    progress.files++;
    progress.bytes += node.size;
    progress.addedBytes += addedBytes;
    if (old) progress.skipped++;
    onProgress?.(progress);
    if (!old || !sameEntry(old, node)) await queue(() => upsert(archive, names.slice(0, -1), names[names.length - 1]!, node), old ? 0 : node.size);
  };
  const importFile = async (path: string, names: string[], st: BigIntStats) => {
    const content = await storer.storeFile(path, Number(st.size));
    await addFile(names, { ...inodeFrom('file', st, 0), size: content.size, chunks: encodeChunks(content.refs) }, content.addedBytes);
  };

  const turn = new Turn();
  try {
    for (let i = 0; i < rootNames.length; i++) await queue(() => upsert(archive, rootNames.slice(0, i), rootNames[i]!, inodeFrom('dir', srcStat, 0)));
    // Metadata is read synchronously: from the page cache that costs microseconds, where each await costs a thread-pool round trip.
    const dirs: Array<{ path: string; names: string[]; target: number | undefined }> = [{ path: src, names: rootNames, target: existingTarget(archive, rootNames) }];
    for (let d = dirs.shift(); d; d = dirs.shift()) {
      const { names, target } = d;
      const meta = inodeFrom('dir', lstatSync(d.path, { bigint: true }), 0);
      const old = target === undefined ? undefined : archive.tree.get(target);
      if (names.length === 0) await queue(() => updateRootMeta(archive, meta));
      else if (!old || !sameEntry(old, meta)) await queue(() => upsert(archive, names.slice(0, -1), names[names.length - 1]!, meta));
      progress.dirs++;
      const listing = opendirSync(d.path);
      try {
        for (let ent = listing.readSync(); ent; ent = listing.readSync()) {
          await turn.maybeYield();
          const name = ent.name;
          const path = join(d.path, name);
          const childNames = [...names, name];
          if (ent.isDirectory()) dirs.push({ path, names: childNames, target: existingDir(archive, target, name) });
          else if (ent.isSymbolicLink()) {
            const lst = lstatSync(path, { bigint: true });
            const link = readlinkSync(path);
            await queue(() => upsert(archive, names, name, { ...inodeFrom('symlink', lst, 0), size: Buffer.byteLength(link), target: link }));
          } else if (ent.isFile()) {
            const fst = lstatSync(path, { bigint: true });
            const unchanged = unchangedFile(archive, target, name, fst);
            if (unchanged) await addFile(childNames, { ...inodeFrom('file', fst, 0), chunks: unchanged.chunks }, 0, unchanged);
            else await pool.run(() => importFile(path, childNames, fst));
          }
        }
      } finally {
        listing.closeSync();
      }
    }
    await pool.drain();
  } finally {
    await chunking.close();
  }
  await flush();
  await committing;
  return progress;
}

function updateRootMeta(archive: Archive, meta: Inode): void {
  const { ino, node } = archive.tree.resolve([], 'import');
  archive.tree.put(ino, { ...node, mode: meta.mode, uid: meta.uid, gid: meta.gid, mtime: meta.mtime, atime: meta.atime });
  archive.tree.touchDir(ino);
}

/**
 * True when importing `node` over `old` would change nothing the import sets but atime, so the entry is
 * left alone and its directory keeps its cached tree for the next snapshot. atime is not compared:
 * the previous import's own reads moved it on nearly every file and directory.
 */
function sameEntry(old: Inode, node: Inode): boolean {
  const sameChunks = old.chunks === undefined || node.chunks === undefined ? old.chunks === node.chunks : old.chunks.equals(node.chunks);
  return old.mode === node.mode && old.uid === node.uid && old.gid === node.gid && old.size === node.size &&
    old.mtime === node.mtime && old.ctime === node.ctime && old.target === node.target && sameChunks;
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
  if (sameEntry(old, node)) return;
  // A directory's own tree object encodes its entries, not its metadata: keep it while they are unchanged.
  tree.put(existing, { ...placed, btime: old.btime, ...(old.tree ? { tree: old.tree } : {}) });
  tree.touchDir(parent.ino);
}
