// CLI: snapshot, snapshots — taking and listing versions.
import type { Command } from 'commander';
import { SnapshotCatalog } from '../../core/snapshot/catalog.ts';
import { takeSnapshot } from '../../core/snapshot/take-snapshot.ts';
import { output, withArchive, type ArchiveOptions } from '../context.ts';

/** Registers snapshot and snapshots. */
export function registerSnapshotCommands(program: Command): void {
  program
    .command('snapshot <archive>')
    .description('take a snapshot of the live tree')
    .option('--name <name>', 'snapshot name (default: the UTC time)')
    .option('--password-file <file>', 'read the password from a file')
    .option('--json', 'print the snapshot as JSON')
    .action(async (dir: string, opts: ArchiveOptions & { name?: string }) => {
      await withArchive(dir, opts, async (archive) => {
        const s = await takeSnapshot(archive, opts.name);
        output(opts, s, () => `snapshot ${s.name} (${s.id}) root tree ${s.tree}\n`);
      });
    });

  program
    .command('snapshots <archive>')
    .description('list snapshots, oldest first')
    .option('--password-file <file>', 'read the password from a file')
    .option('--json', 'print as JSON')
    .action(async (dir: string, opts: ArchiveOptions) => {
      await withArchive(dir, opts, async (archive) => {
        const list = new SnapshotCatalog(archive.db).list();
        output(opts, list, () => list.map((s) => `${s.time}  ${s.name}  ${s.id.slice(0, 16)}\n`).join(''));
      }, { readOnly: true });
    });
}
