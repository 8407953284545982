// Test helper: a fresh archive served over FTP (and optionally FTPS) on 127.0.0.1 ephemeral ports.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Archive } from '../../core/archive.ts';
import type { InlineUser } from '../../core/auth/authenticator.ts';
import { StrataServer } from '../../core/server/server.ts';
import type { RequestEvent, RunningFrontend } from '../../protocols/frontend.ts';
import { start } from '../../protocols/ftp/index.ts';
import type { FtpOptions } from '../../protocols/ftp/options.ts';

/** A running FTP test server. */
export interface FtpTestServer {
  dir: string;
  port: number;
  /** Implicit FTPS port, when asked for. */
  implicitPort: number | null;
  server: StrataServer;
  frontend: RunningFrontend;
  events: RequestEvent[];
  close(): Promise<void>;
}

/** The default test user: full rights, home '/'. */
export const USER: InlineUser = { name: 'u', password: 'p', home: '/', readOnly: false, snapshotCreate: true, snapshotDelete: true };

let certCache: { cert: string; key: string } | null = null;

/** A self-signed certificate for 127.0.0.1, made once per process with openssl (EC P-256: quick). */
export function testCert(): { cert: string; key: string } {
  if (certCache) return certCache;
  const dir = mkdtempSync(join(tmpdir(), 'strata-ftp-cert-'));
  try {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    certCache = { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
    return certCache;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts a server on a fresh archive; `tls` adds AUTH TLS and implicit FTPS. */
export async function startFtp(opts: { tls?: boolean; users?: InlineUser[]; ftp?: Partial<FtpOptions>; chunkSizeAvg?: number } = {}): Promise<FtpTestServer> {
  process.env.STRATA_KDF_N = '1024';
  const dir = mkdtempSync(join(tmpdir(), 'strata-ftp-'));
  try {
    await Archive.init(join(dir, 'ar'), { password: () => 'pw', ...(opts.chunkSizeAvg ? { chunkSizeAvg: opts.chunkSizeAvg } : {}) });
    const archive = await Archive.open(join(dir, 'ar'), { password: () => 'pw' });
    const events: RequestEvent[] = [];
    const users = opts.users ?? [USER];
    const server = new StrataServer(archive, { users, log: pino({ level: process.env.STRATA_LOG_LEVEL ?? 'silent' }), observe: (e) => events.push(e) });
    await server.ensureHomes(users);
    const tls = opts.tls ? testCert() : undefined;
    const options: FtpOptions = {
      listen: { host: '127.0.0.1', port: 0 },
      failedLoginDelayMs: 10,
      ...(tls ? { tls, implicitTlsListen: { host: '127.0.0.1', port: 0 } } : {}),
      ...opts.ftp,
    };
    const frontend = await server.start({ name: 'ftp', start, options: options as unknown as Record<string, unknown> });
    const ports = frontend.urls.map((u) => Number(new URL(u.replace(/^ftps?/, 'http')).port));
    return {
      dir,
      port: ports[0]!,
      implicitPort: ports[1] ?? null,
      server,
      frontend,
      events,
      close: async () => {
        try {
          await server.stop(5000);
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
