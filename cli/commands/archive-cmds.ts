// CLI: init, import, export, ls, cat — moving trees in and out of an archive.
import type { Command } from 'commander';
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { Archive } from '../../core/archive.ts';
import { readAll } from '../../core/files/content.ts';
import { exportTree } from '../../core/files/export-tree.ts';
import { importTree } from '../../core/files/import-tree.ts';
import { liveTreeReader, snapshotTreeReader, type TreeReader } from '../../core/files/tree-reader.ts';
import { decodeChunks } from '../../core/meta/inode.ts';
import { SnapshotCatalog } from '../../core/snapshot/catalog.ts';
import { takeSnapshot } from '../../core/snapshot/take-snapshot.ts';
import { preferSmallHeap } from '../../core/util/buffer-garbage.ts';
import { cliPassword } from '../password.ts';
import { progressBar } from '../progress.ts';
import { CliError, humanBytes, output, withArchive, type ArchiveOptions } from '../context.ts';

async function treeSize(dir: string): Promise<number> {
  let total = 0;
  for await (const e of await opendir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await treeSize(p);
    else if (e.isFile()) total += (await lstat(p)).size;
  }
  return total;
}

/** The tree to read: a snapshot's when `--snapshot` names one, else the live tree. */
function readerFor(archive: Archive, snapshot: string | undefined): TreeReader {
  if (!snapshot) return liveTreeReader(archive.tree);
  const snap = new SnapshotCatalog(archive.db).get(snapshot);
  if (!snap) throw new CliError(`no snapshot named '${snapshot}' (see 'strata snapshots')`);
  return snapshotTreeReader(archive.store, Buffer.from(snap.tree, 'hex'));
}

/** Registers init, import, export, ls and cat. */
export function register(program: Command): void {
  program
    .command('init <archive>')
    .description('create a new archive')
    .option('--encrypt', 'encrypt the archive (AES-256-GCM, key wrapped with scrypt)')
    .option('--chunk-size-avg <bytes>', 'average chunk size, a power of two', (v) => Number(v), 1024 * 1024)
    .option('--password-file <file>', 'read the password from a file')
    .action(async (dir: string, opts: { encrypt?: boolean; chunkSizeAvg: number; passwordFile?: string }) => {
      await Archive.init(dir, { encrypt: opts.encrypt ?? false, chunkSizeAvg: opts.chunkSizeAvg, password: cliPassword(opts, true) });
      process.stderr.write(`created ${opts.encrypt ? 'encrypted ' : ''}archive ${dir}\n`);
    });

  program
    .command('import <archive> <srcdir>')
    .description('copy a directory tree into the archive, then take a snapshot')
    .option('--to <path>', 'where in the archive', '/')
    .option('--no-snapshot', 'do not take a snapshot afterwards')
    .option('--snapshot-name <name>', 'name of the snapshot taken afterwards')
    .option('--password-file <file>', 'read the password from a file')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, src: string, opts: ArchiveOptions & { to: string; snapshot: boolean; snapshotName?: string }) => {
      preferSmallHeap();
      await withArchive(dir, opts, async (archive) => {
        const total = process.stderr.isTTY ? await treeSize(src) : 0;
        const bar = progressBar('import', total, 'bytes');
        const started = Date.now();
        const result = await importTree(archive, src, opts.to, (p) => bar.update(p.bytes));
        bar.stop();
        const snap = opts.snapshot ? await takeSnapshot(archive, opts.snapshotName) : null;
        const secs = (Date.now() - started) / 1000;
        output(opts, { ...result, seconds: secs, snapshot: snap?.name ?? null }, () =>
          `imported ${result.files} files, ${result.dirs} directories, ${humanBytes(result.bytes)} in ${secs.toFixed(1)} s; ` +
          `${humanBytes(result.addedBytes)} new in store${snap ? `; snapshot ${snap.name}` : ''}\n`);
      }, { blockingAppends: true });
    });

  program
    .command('export <archive> <path> <destdir>')
    .description('write a tree (or file) out of the archive, with modes and mtimes')
    .option('--snapshot <name>', 'export from this snapshot instead of the live tree')
    .option('--password-file <file>', 'read the password from a file')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, path: string, dest: string, opts: ArchiveOptions & { snapshot?: string }) => {
      await withArchive(dir, opts, async (archive) => {
        const result = await exportTree(readerFor(archive, opts.snapshot), archive.store, path, dest);
        output(opts, result, () => `exported ${result.files} files, ${result.dirs} directories, ${result.symlinks} symlinks, ${humanBytes(result.bytes)}\n`);
      }, { readOnly: true });
    });

  program
    .command('ls <archive> [path]')
    .description('list a directory of the archive')
    .option('--snapshot <name>', 'list this snapshot instead of the live tree')
    .option('--password-file <file>', 'read the password from a file')
    .option('--json', 'print entries as JSON')
    .action(async (dir: string, path: string | undefined, opts: ArchiveOptions & { snapshot?: string }) => {
      await withArchive(dir, opts, async (archive) => {
        const reader = readerFor(archive, opts.snapshot);
        const top = await reader.lookup(path ?? '/');
        const list = top.node.kind === 'dir' ? [] : [top];
        if (top.node.kind === 'dir') for await (const e of reader.list(top)) list.push(e);
        const rows = list.map((e) => ({
          name: e.name, kind: e.node.kind, mode: e.node.mode, size: e.node.size,
          mtime: new Date(Number(e.node.mtime / 1000000n)).toISOString(), ...(e.node.target !== undefined ? { target: e.node.target } : {}),
        }));
        output(opts, rows, () => rows.map((r) => {
          const t = r.kind === 'dir' ? 'd' : r.kind === 'symlink' ? 'l' : '-';
          return `${t}${r.mode.toString(8).padStart(4, '0')} ${String(r.size).padStart(12)} ${r.mtime} ${r.name}${r.kind === 'dir' ? '/' : ''}${r.target !== undefined ? ` -> ${r.target}` : ''}\n`;
        }).join(''));
      }, { readOnly: true });
    });

  program
    .command('cat <archive> <path>')
    .description('write a file of the archive to stdout')
    .option('--snapshot <name>', 'read from this snapshot')
    .option('--password-file <file>', 'read the password from a file')
    .action(async (dir: string, path: string, opts: ArchiveOptions & { snapshot?: string }) => {
      await withArchive(dir, opts, async (archive) => {
        const e = await readerFor(archive, opts.snapshot).lookup(path);
        if (e.node.kind !== 'file') throw new CliError(`${path} is a ${e.node.kind === 'dir' ? 'directory' : 'symlink'}, not a file`);
        for await (const data of readAll(archive.store, decodeChunks(e.node.chunks))) {
          if (!process.stdout.write(data)) await new Promise((r) => process.stdout.once('drain', r));
        }
      }, { readOnly: true });
    });
}
