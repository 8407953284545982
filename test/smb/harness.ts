// Test harness: a real archive in a temp dir served over SMB on an ephemeral port, and smbclient runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Archive } from '../../core/archive.ts';
import { StrataServer } from '../../core/server/server.ts';
import { start, type SmbStartOptions } from '../../protocols/smb/index.ts';
import { run as runCommand, type RunOptions } from '../helpers/serve.ts';

/** A running SMB server on a fresh archive. */
export interface SmbFixture {
  port: number;
  dir: string;
  server: StrataServer;
  user: string;
  pass: string;
  stop(): Promise<void>;
}

/** Starts strata with the SMB frontend on 127.0.0.1:0 over a new archive; `stop` removes everything. */
export async function startSmb(opts: Partial<Omit<SmbStartOptions, 'listen'>> = {}, users = [{ name: 'alice', password: 'secret pw', readOnly: false }]): Promise<SmbFixture> {
  process.env.STRATA_KDF_N = '1024';
  const dir = mkdtempSync(join(tmpdir(), 'strata-smb-'));
  try {
    await Archive.init(join(dir, 'ar'), { password: () => 'pw', chunkSizeAvg: 64 * 1024 });
    const archive = await Archive.open(join(dir, 'ar'), { password: () => 'pw' });
    const server = new StrataServer(archive, {
      users: users.map((u) => ({ ...u, home: '/', snapshotCreate: true, snapshotDelete: true })),
      log: pino({ level: process.env.STRATA_LOG_LEVEL ?? 'silent' }),
    });
    const running = await server.start({ name: 'smb', start: start as never, options: { listen: { host: '127.0.0.1', port: 0 }, ...opts } });
    const port = Number(/:(\d+)\//.exec(running.urls[0]!)![1]);
    return {
      port,
      dir,
      server,
      user: users[0]!.name,
      pass: users[0]!.password,
      stop: async () => {
        try {
          await server.stop();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Result of one client run. */
export interface RunResult {
  code: number;
  out: string;
}

/** Runs a command with a timeout (default 30 s), capturing stdout then stderr as one text. */
export async function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await runCommand(cmd, args, undefined, { timeoutMs: 30_000, ...opts });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** Runs smbclient against the fixture's share with `commands`. */
export function smbclient(f: SmbFixture, commands: string, extra: string[] = [], cwd?: string): Promise<RunResult> {
  return run('smbclient', [`//127.0.0.1/share`, '-p', String(f.port), '-U', `${f.user}%${f.pass}`, ...extra, '-c', commands], { cwd });
}
