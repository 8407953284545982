// Shared CLI plumbing: opening the archive with the user's password options, printing, exit codes.
import { Archive } from '../core/archive.ts';
import { ROOT_INO } from '../core/meta/inode.ts';
import { cliPassword } from './password.ts';

/** Options every archive command accepts. */
export interface ArchiveOptions {
  passwordFile?: string;
  json?: boolean;
}

/** An error the CLI reports as one line and exit code 1. */
export class CliError extends Error {}

/** Opens the archive, runs `fn`, and always closes it. */
export async function withArchive<T>(dir: string, opts: ArchiveOptions, fn: (a: Archive) => Promise<T>, mode: { readOnly?: boolean; needTree?: boolean; blockingAppends?: boolean } = {}): Promise<T> {
  const archive = await Archive.open(dir, { password: cliPassword(opts), readOnly: mode.readOnly ?? false, blockingAppends: mode.blockingAppends });
  try {
    if (mode.needTree !== false && !archive.tree.get(ROOT_INO)) throw new CliError(`the metadata of ${dir} is missing or damaged: run 'strata repair ${dir}'`);
    return await fn(archive);
  } finally {
    await archive.close();
  }
}

/** Prints `data` as JSON when asked, else the human text. */
export function output(opts: { json?: boolean }, data: unknown, human: () => string): void {
  process.stdout.write(opts.json ? JSON.stringify(data, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n' : human());
}

/** Bytes as a short human string. */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
