// CLI: snapshot, snapshots, snapshot-rm, forget, diff, log — taking, listing and comparing versions.
import type { Command } from 'commander';
import { liveTreeReader, snapshotTreeReader, type TreeReader } from '../../core/files/tree-reader.ts';
import type { Archive } from '../../core/archive.ts';
import { SnapshotCatalog } from '../../core/snapshot/catalog.ts';
import { changedSinceLastSnapshot } from '../../core/snapshot/changed.ts';
import { diffTrees } from '../../core/snapshot/diff.ts';
import { pathLog } from '../../core/snapshot/path-log.ts';
import { applyRetention, policyIsEmpty, type RetentionPolicy } from '../../core/snapshot/retention.ts';
import { takeSnapshot } from '../../core/snapshot/take-snapshot.ts';
import type { SnapshotInfo } from '../../core/snapshot/snapshot-record.ts';
import { askServer } from '../../core/server/control.ts';
import { CliError, humanBytes, output, withArchive, type ArchiveOptions } from '../context.ts';

/** The live tree's name in `diff`. */
const LIVE = '@live';

function treeOf(archive: Archive, name: string): TreeReader {
  if (name === LIVE) return liveTreeReader(archive.tree);
  const s = new SnapshotCatalog(archive.db).get(name);
  if (!s) throw new CliError(`no snapshot named '${name}' (see 'strata snapshots'; ${LIVE} is the live tree)`);
  return snapshotTreeReader(archive.store, Buffer.from(s.tree, 'hex'));
}

const count = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`expected a whole number, got '${v}'`);
  return n;
};

/** Registers the snapshot commands. */
export function register(program: Command): void {
  program
    .command('snapshot <archive>')
    .description('take a snapshot of the live tree')
    .option('--name <name>', 'snapshot name (default: the UTC time)')
    .option('--if-changed', 'do nothing when nothing changed since the last snapshot (for cron)')
    .option('--password-file <file>', 'read the password from a file')
    .option('--json', 'print the snapshot as JSON')
    .action(async (dir: string, opts: ArchiveOptions & { name?: string; ifChanged?: boolean }) => {
      const print = (s: SnapshotInfo) => output(opts, s, () => `snapshot ${s.name} (${s.id}) root tree ${s.tree}\n`);
      if (!opts.ifChanged) {
        const viaServer = await askServer(dir, { cmd: 'snapshot', name: opts.name });
        if (viaServer) {
          if (viaServer.error) throw new CliError(`the running server could not take the snapshot: ${viaServer.error}`);
          return print(viaServer.result as SnapshotInfo);
        }
      }
      await withArchive(dir, opts, async (archive) => {
        if (opts.ifChanged && !changedSinceLastSnapshot(archive)) {
          output(opts, null, () => 'nothing changed since the last snapshot\n');
          return;
        }
        print(await takeSnapshot(archive, opts.name));
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

  program
    .command('snapshot-rm <archive> <name...>')
    .description('delete snapshots (their data is freed by prune)')
    .option('--password-file <file>', 'read the password from a file')
    .action(async (dir: string, names: string[], opts: ArchiveOptions) => {
      await withArchive(dir, opts, async (archive) => {
        const catalog = new SnapshotCatalog(archive.db);
        for (const n of names) if (!catalog.get(n)) throw new CliError(`no snapshot named '${n}'`);
        await archive.db.env.transaction(() => names.forEach((n) => catalog.remove(n)));
        process.stderr.write(`removed ${names.length} snapshot(s); run 'strata prune ${dir}' to free their space\n`);
      });
    });

  program
    .command('forget <archive>')
    .description('remove snapshots not kept by the retention policy')
    .option('--keep-last <n>', 'keep the newest N', count)
    .option('--keep-hourly <n>', 'keep the newest of each of the last N hours', count)
    .option('--keep-daily <n>', 'keep the newest of each of the last N days', count)
    .option('--keep-weekly <n>', 'keep the newest of each of the last N ISO weeks', count)
    .option('--keep-monthly <n>', 'keep the newest of each of the last N months', count)
    .option('--keep-yearly <n>', 'keep the newest of each of the last N years', count)
    .option('--dry-run', 'only print what would be removed')
    .option('--password-file <file>', 'read the password from a file')
    .option('--json', 'print decisions as JSON')
    .action(async (dir: string, opts: ArchiveOptions & { keepLast?: number; keepHourly?: number; keepDaily?: number; keepWeekly?: number; keepMonthly?: number; keepYearly?: number; dryRun?: boolean }) => {
      const policy: RetentionPolicy = { last: opts.keepLast, hourly: opts.keepHourly, daily: opts.keepDaily, weekly: opts.keepWeekly, monthly: opts.keepMonthly, yearly: opts.keepYearly };
      if (policyIsEmpty(policy)) throw new CliError('no policy given: pass at least one --keep-* option (forget never removes every snapshot by default)');
      await withArchive(dir, opts, async (archive) => {
        const catalog = new SnapshotCatalog(archive.db);
        const decisions = applyRetention(catalog.list(), policy);
        const doomed = decisions.filter((d) => !d.keep).map((d) => d.snapshot.name);
        if (!opts.dryRun) await archive.db.env.transaction(() => doomed.forEach((n) => catalog.remove(n)));
        output(opts, decisions.map((d) => ({ name: d.snapshot.name, time: d.snapshot.time, keep: d.keep, reasons: d.reasons })), () =>
          decisions.map((d) => `${d.keep ? 'keep  ' : opts.dryRun ? 'would remove' : 'remove'} ${d.snapshot.time} ${d.snapshot.name}${d.reasons.length ? ` (${d.reasons.join(', ')})` : ''}\n`).join('') +
          `${opts.dryRun ? 'would remove' : 'removed'} ${doomed.length} of ${decisions.length} snapshots${opts.dryRun ? '' : `; run 'strata prune ${dir}' to free their space`}\n`);
      });
    });

  program
    .command('diff <archive> <a> <b>')
    .description(`paths added (+), removed (-), modified (M), retyped (T) or with new metadata (U) from A to B; ${LIVE} is the live tree`)
    .option('--path <path>', 'compare only below this path', '/')
    .option('--password-file <file>', 'read the password from a file')
    .option('--json', 'print as JSON')
    .action(async (dir: string, a: string, b: string, opts: ArchiveOptions & { path: string }) => {
      await withArchive(dir, opts, async (archive) => {
        const lines = await diffTrees(treeOf(archive, a), treeOf(archive, b), opts.path);
        output(opts, lines, () => lines.map((l) => `${l.change} ${l.path}${l.kind === 'dir' ? '/' : ''}\n`).join(''));
      }, { readOnly: true });
    });

  program
    .command('log <archive> <path>')
    .description('the versions of one path across snapshots, then the live tree')
    .option('--all', 'show every snapshot, not only those where the path changed')
    .option('--password-file <file>', 'read the password from a file')
    .option('--json', 'print as JSON')
    .action(async (dir: string, path: string, opts: ArchiveOptions & { all?: boolean }) => {
      await withArchive(dir, opts, async (archive) => {
        const versions = (await pathLog(archive, path)).filter((v) => opts.all || v.changed);
        output(opts, versions, () => versions.map((v) =>
          `${v.time}  ${(v.snapshot ?? LIVE).padEnd(22)} ${v.kind === 'absent' ? 'absent' : `${v.kind.padEnd(7)} ${humanBytes(v.size).padStart(10)}  mtime ${v.mtime}  content ${v.contentHash ?? '-'}`}\n`).join(''));
      }, { readOnly: true });
    });
}
