// CLI: stats, verify, repair — measuring and checking an archive.
import type { Command } from 'commander';
import { archiveStats } from '../../core/maintenance/stats.ts';
import { repairArchive } from '../../core/maintenance/repair.ts';
import { verifyArchive } from '../../core/maintenance/verify.ts';
import { progressBar } from '../progress.ts';
import { humanBytes, output, withArchive, type ArchiveOptions } from '../context.ts';

/** Registers stats, verify and repair. */
export function registerMaintenanceCommands(program: Command): void {
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
