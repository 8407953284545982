// Starting `strata serve`: one process, every enabled frontend, one archive; flags for quick starts,
// a validated strata.yaml for real use (flags win over the file). Loaded only when a server starts.
import { existsSync } from 'node:fs';
import type { Server } from 'node:net';
import { Archive } from '../../core/archive.ts';
import type { InlineUser } from '../../core/auth/authenticator.ts';
import { checkUserName, type User } from '../../core/auth/user.ts';
import { loadConfig, type StrataConfig } from '../../core/server/config.ts';
import { startControlServer } from '../../core/server/control.ts';
import { installCrashGuard } from '../../core/server/crash-guard.ts';
import { Metrics, startOpsServer } from '../../core/server/metrics.ts';
import { StrataServer, type FrontendSpec } from '../../core/server/server.ts';
import { pruneArchive } from '../../core/maintenance/prune.ts';
import { parseDuration, SnapshotScheduler } from '../../core/snapshot/scheduler.ts';
import { takeSnapshot } from '../../core/snapshot/take-snapshot.ts';
import { SOURCE_EXT } from '../../core/util/source-ext.ts';
import { normalizePath } from '../../core/vfs/path.ts';
import { parseListen } from '../../protocols/frontend.ts';
import { cliPassword } from '../password.ts';
import { CliError } from '../context.ts';

/** Where each frontend's module lives; each exports `start(ctx, options)`. */
const MODULES: Record<string, string> = {
  webdav: `../../protocols/webdav/index${SOURCE_EXT}`,
  ftp: `../../protocols/ftp/index${SOURCE_EXT}`,
  smb: `../../protocols/smb/index${SOURCE_EXT}`,
  mount: `../../mount/index${SOURCE_EXT}`,
};

/** Options of `strata serve` (command-line flags). */
export interface ServeFlags {
  config?: string;
  webdav?: string;
  ftp?: string;
  smb?: string;
  mount?: string;
  metrics?: string;
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

/** Whether this build has the frontend's module. */
export function frontendAvailable(name: string): boolean {
  return MODULES[name] !== undefined && existsSync(new URL(MODULES[name]!, import.meta.url));
}

/** Each frontend's options from the config file, with the flags' listen addresses winning. */
function frontendOptions(flags: ServeFlags, cfg: StrataConfig): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const webdav = flags.webdav ?? cfg.webdav?.listen;
  if (webdav) out.webdav = { listen: parseListen(webdav), tls: cfg.webdav?.tls, allowBasicOverHttp: cfg.webdav?.allow_basic_over_http ?? false };
  const ftp = flags.ftp ?? cfg.ftp?.listen;
  if (ftp) {
    const range = cfg.ftp?.passive_ports?.split('-').map(Number);
    out.ftp = {
      listen: parseListen(ftp), pasvPortRange: range, pasvUrl: cfg.ftp?.public_address, tls: cfg.ftp?.tls,
      implicitTlsListen: cfg.ftp?.implicit_tls_listen ? parseListen(cfg.ftp.implicit_tls_listen) : undefined,
      allowActive: cfg.ftp?.allow_active ?? false, anonymous: cfg.anonymous?.enabled ?? false,
    };
  }
  const smb = flags.smb ?? cfg.smb?.listen;
  if (smb) out.smb = { listen: parseListen(smb), shareName: cfg.smb?.share ?? 'share', signingRequired: cfg.smb?.signing_required ?? true, encryptData: cfg.smb?.encrypt ?? false, allowNtlmV1: cfg.smb?.allow_ntlmv1 ?? false, oplockBreakTimeoutMs: cfg.smb?.oplock_break_timeout_ms ?? 35_000 };
  const mount = flags.mount ?? cfg.mount?.path;
  if (mount) out.mount = { mountpoint: mount, cacheSeconds: cfg.mount?.cache_seconds, statCacheSeconds: cfg.mount?.stat_cache_seconds };
  return out;
}

/** Loads the frontends' modules. */
async function frontendSpecs(options: Record<string, Record<string, unknown>>): Promise<FrontendSpec[]> {
  const specs: FrontendSpec[] = [];
  for (const [name, opts] of Object.entries(options)) {
    if (!frontendAvailable(name)) throw new CliError(`the ${name} frontend is not part of this build`);
    const mod = (await import(new URL(MODULES[name]!, import.meta.url).href)) as { start: FrontendSpec['start'] };
    specs.push({ name, start: mod.start, options: opts });
  }
  return specs;
}

function configUsers(cfg: StrataConfig): InlineUser[] {
  return cfg.users.map((u) => ({
    name: u.name, password: u.password, home: normalizePath(u.home), readOnly: u.read_only,
    snapshotCreate: u.snapshots !== 'none' && !u.read_only, snapshotDelete: u.snapshots === 'manage' && !u.read_only,
  }));
}

/** Runs a server until SIGINT/SIGTERM, then stops it gracefully; returns it once every frontend listens. */
export async function runServer(dir: string | undefined, flags: ServeFlags): Promise<StrataServer> {
  const cfg: StrataConfig = flags.config ? loadConfig(flags.config) : { users: [] };
  const archiveDir = dir ?? cfg.archive;
  if (!archiveDir) throw new CliError('which archive? pass it as an argument or set `archive:` in the config file');
  const specs = await frontendSpecs(frontendOptions(flags, cfg));
  if (specs.length === 0) throw new CliError('nothing to serve: pass --webdav, --ftp, --smb and/or --mount (or set them in --config)');
  const everySpec = flags.snapshotEvery ?? cfg.snapshots?.every;
  const every = everySpec ? parseDuration(everySpec) : null;
  const users = [...configUsers(cfg), ...flags.user.map(parseInlineUser)];
  const anonymous: User | null = cfg.anonymous?.enabled ? { name: 'anonymous', home: normalizePath(cfg.anonymous.home), readOnly: true, snapshotCreate: false, snapshotDelete: false } : null;
  if (cfg.log?.level) process.env.STRATA_LOG_LEVEL ??= cfg.log.level;

  const archive = await Archive.open(archiveDir, { password: cliPassword({ passwordFile: flags.passwordFile ?? cfg.password_file }) });
  const metrics = new Metrics(archive);
  const server = new StrataServer(archive, { users, anonymous, observe: (e) => metrics.observe(e) });
  const scheduler = every === null ? null : new SnapshotScheduler(archive, every, () => server.vfs.flushAll(), (r) => {
    if (r.snapshot) server.log.info({ snapshot: r.snapshot.name }, 'automatic snapshot taken');
    if (r.error) server.log.error({ err: r.error }, 'automatic snapshot failed');
  });
  const listeners: Server[] = [];
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal }, 'shutting down');
    for (const l of listeners) l.close();
    await scheduler?.stop();
    await server.stop();
    process.exit(0);
  };
  installCrashGuard(server.log);
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  try {
    await server.ensureHomes(users);
    for (const spec of specs) await server.start(spec);
    listeners.push(await startControlServer(archive.dir, async (req) => {
      if (req.cmd === 'snapshot') {
        await server.vfs.flushAll();
        return takeSnapshot(archive, req.name);
      }
      return pruneArchive(archive, { dryRun: req.dryRun, repackAbove: req.repackAbove, extraRoots: () => server.vfs.openChunkIds() });
    }));
    const metricsAt = flags.metrics ?? cfg.metrics?.listen;
    if (metricsAt) {
      const { host, port } = parseListen(metricsAt);
      listeners.push(await startOpsServer(metrics, host, port, () => !stopping));
      server.log.info({ listen: metricsAt }, 'metrics and /healthz listening');
    }
  } catch (err) {
    for (const l of listeners) l.close();
    await server.stop(2000);
    throw err;
  }
  scheduler?.start();
  return server;
}

