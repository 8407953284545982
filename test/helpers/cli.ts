// Runs the real `strata` command line as a child process, as a user would.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/strata.js', import.meta.url));

/** The result of one CLI run. */
export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

/** Runs `strata args…` with cheap KDF parameters; `password` sets STRATA_PASSWORD. */
export function strata(args: string[], opts: { password?: string; env?: Record<string, string> } = {}): CliResult {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), STRATA_KDF_N: '1024', ...opts.env };
  delete env.STRATA_PASSWORD;
  if (opts.password !== undefined) env.STRATA_PASSWORD = opts.password;
  const r = spawnSync(process.execPath, [BIN, ...args], { env, maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString(), stdoutBytes: r.stdout };
}

/** Runs strata and throws with its stderr unless it exits 0. */
export function strataOk(args: string[], opts: { password?: string } = {}): CliResult {
  const r = strata(args, opts);
  if (r.status !== 0) throw new Error(`strata ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r;
}
