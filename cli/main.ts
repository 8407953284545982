// The `strata` command line: parses arguments and runs one command; errors print one line and exit 1.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { registerArchiveCommands } from './commands/archive-cmds.ts';
import { registerMaintenanceCommands } from './commands/maintenance-cmds.ts';
import { registerSnapshotCommands } from './commands/snapshot-cmds.ts';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const program = new Command('strata')
  .description('a deduplicating, versioned archive served as an ordinary file share')
  .version(pkg.version)
  .showHelpAfterError();
registerArchiveCommands(program);
registerSnapshotCommands(program);
registerMaintenanceCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`strata: ${msg}\n`);
  if (process.env.STRATA_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exitCode = 1;
}
