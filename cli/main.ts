// The `strata` command line: every module in cli/commands/ registers its commands; errors print one line and exit 1.
import { Command } from 'commander';
import { readdirSync, readFileSync } from 'node:fs';
import { SOURCE_EXT } from '../core/util/source-ext.ts';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const program = new Command('strata')
  .description('a deduplicating, versioned archive served as an ordinary file share')
  .version(pkg.version)
  .showHelpAfterError();

/** Each file in cli/commands exports `register(program)`; loading them all keeps this file free of a list to edit. */
const dir = new URL('./commands/', import.meta.url);
for (const file of readdirSync(dir).filter((f) => f.endsWith(SOURCE_EXT)).sort()) {
  const mod = (await import(new URL(file, dir).href)) as { register?: (p: Command) => void };
  mod.register?.(program);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`strata: ${msg}\n`);
  if (process.env.STRATA_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exitCode = 1;
}
