// CLI: stats, verify, repair — measuring and checking an archive.
import type { Command } from 'commander';
import { archiveStats } from '../../core/maintenance/stats.ts';
import { pruneArchive, type PruneReport } from '../../core/maintenance/prune.ts';
import { askServer } from '../../core/server/control.ts';
import { repairArchive } from '../../core/maintenance/repair.ts';
import { verifyArchive } from '../../core/maintenance/verify.ts';
import { progressBar } from '../progress.ts';
import { CliError, humanBytes, output, withArchive, type ArchiveOptions } from '../context.ts';

/** Registers stats, verify and repair. */
export function register(program: Command): void {
  program
    .command('stats <archive>')
    .description('logical and stored sizes, dedup and compression ratios')
    .option('--password-file <file>', 'read the password from a file')
    .option('--json', 'print as JSON')
    .action(async (dir: string, opts: ArchiveOptions) => {
      await withArchive(dir, opts, async (archive) => {
        const s = await archiveStats(archive);
        output(opts, s, () => [
          `files:             ${s.files} in ${s.dirs} directories`,
          `logical size:      ${humanBytes(s.logicalBytes)}`,
          `unique chunk data: ${humanBytes(s.uniqueBytes)} in ${s.chunks} blobs`,
          `stored:            ${humanBytes(s.storedBytes)} in ${s.packs} packs`,
          `dedup ratio:       ${s.dedupRatio}x`,
          `compression ratio: ${s.compressionRatio}x`,
          `snapshots:         ${s.snapshots}`,
        ].join('\n') + '\n');
      }, { readOnly: true });
    });

  program
    .command('verify <archive>')
    .description('check the index, trees and snapshot chain; with --read-data, every blob')
    .option('--read-data', 'read, authenticate and hash every blob')
    .option('--password-file <file>', 'read the password from a file')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, opts: ArchiveOptions & { readData?: boolean }) => {
      await withArchive(dir, opts, async (archive) => {
        let bar: ReturnType<typeof progressBar> | null = null;
        const report = await verifyArchive(archive, opts.readData ?? false, (done, total) => {
          bar ??= progressBar('verify', total, 'items');
          bar.update(done);
        });
        (bar as ReturnType<typeof progressBar> | null)?.stop();
        output(opts, report, () => {
          const lines = [`checked ${report.packs} packs, ${report.blobs} blobs${opts.readData ? ` (read ${humanBytes(report.bytesRead)})` : ''}`];
          for (const s of report.snapshots) lines.push(`snapshot ${s.name}: root tree ${s.tree} record ${s.id} ${s.ok ? 'ok' : 'DAMAGED'}`);
          for (const p of report.problems) {
            lines.push(`error: ${p.object}: ${p.message}`);
            for (const f of p.files) lines.push(`  used by ${f}`);
          }
          lines.push(report.ok ? 'no errors were found' : `${report.problems.length} problem(s) found`);
          return lines.join('\n') + '\n';
        });
        if (!report.ok) process.exitCode = 1;
      }, { readOnly: true, needTree: false });
    });

  program
    .command('prune <archive>')
    .description('free the space of data no snapshot or live file references')
    .option('--dry-run', 'only report what would be freed')
    .option('--repack-above <fraction>', 'repack packs with at least this share of garbage', (v) => Number(v), 0.3)
    .option('--password-file <file>', 'read the password from a file')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, opts: ArchiveOptions & { dryRun?: boolean; repackAbove: number }) => {
      const print = (r: PruneReport) => output(opts, r, () =>
        `${r.blobsUnused} of ${r.blobs} blobs unused; ${opts.dryRun ? 'would free' : 'freed'} ${humanBytes(r.bytesFreed)}: ` +
        `${r.packsDeleted} packs deleted, ${r.packsRepacked} repacked (${r.blobsMoved} blobs moved)\n`);
      const viaServer = await askServer(dir, { cmd: 'prune', dryRun: opts.dryRun, repackAbove: opts.repackAbove });
      if (viaServer) {
        if (viaServer.error) throw new CliError(`the running server could not prune: ${viaServer.error}`);
        return print(viaServer.result as PruneReport);
      }
      await withArchive(dir, opts, async (archive) => {
        const others = await archive.otherProcesses();
        if (others.length > 0 && !opts.dryRun) {
          throw new CliError(`the archive is open in process ${others.join(', ')}; stop it (or run prune inside the server) — prune must not race another process's writes`);
        }
        print(await pruneArchive(archive, { dryRun: opts.dryRun, repackAbove: opts.repackAbove }));
      });
    });

  program
    .command('repair <archive>')
    .description('rebuild the metadata index from the pack files')
    .option('--password-file <file>', 'read the password from a file')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, opts: ArchiveOptions) => {
      await withArchive(dir, opts, async (archive) => {
        const r = await repairArchive(archive);
        output(opts, r, () =>
          `indexed ${r.blobs} blobs from ${r.packs} packs` +
          (r.unreadablePacks.length ? `; unreadable packs: ${r.unreadablePacks.join(', ')}` : '') +
          (r.snapshotsRecovered ? `; recovered ${r.snapshotsRecovered} snapshots` : '') +
          (r.liveTreeRestoredFrom ? `; live tree restored from snapshot ${r.liveTreeRestoredFrom}` : '') + '\n');
      }, { needTree: false });
    });
}
