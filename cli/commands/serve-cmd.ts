// CLI: `strata serve` — one process, every enabled frontend, one archive.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { Archive } from '../../core/archive.ts';
import type { InlineUser } from '../../core/auth/authenticator.ts';
import { checkUserName } from '../../core/auth/user.ts';
import { StrataServer, type FrontendSpec } from '../../core/server/server.ts';
import { parseDuration, SnapshotScheduler } from '../../core/snapshot/scheduler.ts';
import { parseListen } from '../../protocols/frontend.ts';
import { cliPassword } from '../password.ts';
import { CliError } from '../context.ts';

/** Where each frontend's module lives; each exports `start(ctx, options)`. */
const MODULES: Record<string, string> = {
  webdav: '../../protocols/webdav/index.ts',
  ftp: '../../protocols/ftp/index.ts',
  smb: '../../protocols/smb/index.ts',
  mount: '../../mount/index.ts',
};

/** Options of `strata serve`. */
export interface ServeFlags {
  webdav?: string;
  ftp?: string;
  smb?: string;
  mount?: string;
  user: string[];
  passwordFile?: string;
  snapshotEvery?: string;
}

/** Parses `--user NAME:PASSWORD` into a full-rights in-memory user. */
export function parseInlineUser(spec: string): InlineUser {
  const at = spec.indexOf(':');
  if (at <= 0 || at === spec.length - 1) throw new CliError(`--user expects NAME:PASSWORD, got '${spec}'`);
  const name = spec.slice(0, at);
  const bad = checkUserName(name);
  if (bad) throw new CliError(bad);
  return { name, password: spec.slice(at + 1), home: '/', readOnly: false, snapshotCreate: true, snapshotDelete: true };
}

/** The frontends the flags ask for. */
export async function frontendSpecs(flags: ServeFlags): Promise<FrontendSpec[]> {
  const specs: FrontendSpec[] = [];
  for (const name of ['webdav', 'ftp', 'smb', 'mount'] as const) {
    const value = flags[name];
    if (value === undefined) continue;
    const url = new URL(MODULES[name]!, import.meta.url);
    if (!existsSync(url)) throw new CliError(`the ${name} frontend is not part of this build`);
    const mod = (await import(url.href)) as { start: FrontendSpec['start'] };
    const options = name === 'mount' ? { mountpoint: value } : { listen: parseListen(value) };
    specs.push({ name, start: mod.start, options });
  }
  return specs;
}

/** Runs a server until SIGINT/SIGTERM, then stops it gracefully. */
export async function runServer(dir: string, flags: ServeFlags): Promise<void> {
  const specs = await frontendSpecs(flags);
  const every = flags.snapshotEvery ? parseDuration(flags.snapshotEvery) : null;
  if (specs.length === 0) throw new CliError('nothing to serve: pass --webdav, --ftp, --smb and/or --mount');
  const users = flags.user.map(parseInlineUser);
  const archive = await Archive.open(dir, { password: cliPassword(flags) });
  const server = new StrataServer(archive, { users });
  const scheduler = every === null ? null : new SnapshotScheduler(archive, every, () => server.vfs.flushAll(), (r) => {
    if (r.snapshot) server.log.info({ snapshot: r.snapshot.name }, 'automatic snapshot taken');
    if (r.error) server.log.error({ err: r.error }, 'automatic snapshot failed');
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal }, 'shutting down');
    await scheduler?.stop();
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  try {
    await server.ensureHomes(users);
    for (const spec of specs) await server.start(spec);
  } catch (err) {
    await server.stop(2000);
    throw err;
  }
  scheduler?.start();
  for (const f of server.frontends) process.stderr.write(`${f.name}: ${f.urls.join(' ')}\n`);
}

/** Registers serve. */
export function register(program: Command): void {
  program
    .command('serve <archive>')
    .description('serve the archive over WebDAV, FTP, SMB and/or a FUSE mount')
    .option('--webdav <host:port>', 'serve WebDAV here')
    .option('--ftp <host:port>', 'serve FTP here')
    .option('--smb <host:port>', 'serve SMB here')
    .option('--mount <dir>', 'mount the archive here (FUSE)')
    .option('--user <name:password>', 'a user with full rights, kept in memory (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--snapshot-every <duration>', 'take a snapshot this often (e.g. 15m) when something changed')
    .option('--password-file <file>', 'read the archive password from a file')
    .action(async (dir: string, flags: ServeFlags) => {
      await runServer(dir, flags);
    });
}
