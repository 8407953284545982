// `strata export`: writes a tree (or one file) out of the archive, byte-identical, with modes and mtimes.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { chmod, chown, lutimes, mkdir, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectStore } from '../store/object-store.ts';
import { decodeChunks, type Inode } from '../meta/inode.ts';
import { readAll } from './content.ts';
import type { EntryView, TreeReader } from './tree-reader.ts';

/** Totals of an export. */
export interface ExportResult {
  files: number;
  dirs: number;
  symlinks: number;
  bytes: number;
}

// Node sets times from a double in seconds and truncates to nanoseconds: aim at the middle of the
// microsecond so it lands on the right one (sub-microsecond digits cannot be set from Node).
const seconds = (ns: bigint) => Number(ns / 1000n) / 1e6 + 5e-7;

async function setMeta(path: string, node: Inode): Promise<void> {
  if (node.kind === 'symlink') {
    await lutimes(path, seconds(node.atime), seconds(node.mtime)).catch(() => undefined);
    return;
  }
  if (process.getuid?.() === 0) await chown(path, node.uid, node.gid).catch(() => undefined);
  await chmod(path, node.mode);
  await utimes(path, seconds(node.atime), seconds(node.mtime));
}

/** Writes a file's contents to `path`, streaming chunk by chunk. */
export async function exportFile(store: ObjectStore, node: Inode, path: string): Promise<void> {
  const out = createWriteStream(path, { mode: 0o600 });
  const failed = new Promise<never>((_, reject) => out.on('error', reject));
  failed.catch(() => undefined);
  try {
    for await (const data of readAll(store, decodeChunks(node.chunks))) {
      if (!out.write(data)) await Promise.race([once(out, 'drain'), failed]);
    }
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
  } catch (err) {
    out.destroy();
    throw err;
  }
}

/** Exports the entry at `path` into `dest`: a directory's contents go into `dest`, a file becomes `dest/<name>`. */
export async function exportTree(reader: TreeReader, store: ObjectStore, path: string, dest: string): Promise<ExportResult> {
  const result: ExportResult = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  const top = await reader.lookup(path);
  await mkdir(dest, { recursive: true });
  if (top.node.kind === 'dir') await exportDir(reader, store, top, dest, result);
  else await exportEntry(reader, store, top, join(dest, top.name), result);
  return result;
}

async function exportDir(reader: TreeReader, store: ObjectStore, dir: EntryView, path: string, result: ExportResult): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  for await (const child of reader.list(dir)) await exportEntry(reader, store, child, join(path, child.name), result);
  result.dirs++;
  await setMeta(path, dir.node);
}

async function exportEntry(reader: TreeReader, store: ObjectStore, e: EntryView, path: string, result: ExportResult): Promise<void> {
  if (e.node.kind === 'dir') return exportDir(reader, store, e, path, result);
  if (e.node.kind === 'symlink') {
    await symlink(e.node.target ?? '', path);
    result.symlinks++;
  } else {
    await exportFile(store, e.node, path);
    result.files++;
    result.bytes += e.node.size;
  }
  await setMeta(path, e.node);
}
