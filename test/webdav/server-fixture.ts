// Test fixture: a real strata archive in a temp dir served over WebDAV on 127.0.0.1 (ephemeral port).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Archive } from '../../core/archive.ts';
import { StrataServer } from '../../core/server/server.ts';
import type { RequestEvent } from '../../protocols/frontend.ts';
import { start } from '../../protocols/webdav/index.ts';

/** A running WebDAV server on a fresh archive. */
export interface DavFixture {
  url: string;
  port: number;
  user: string;
  pass: string;
  server: StrataServer;
  events: RequestEvent[];
  /** Basic Authorization header value. */
  authHeader: string;
  close(): Promise<void>;
}

/** Starts strata's WebDAV frontend on a new archive; `close` stops it and removes the archive. */
export async function startDav(options: Record<string, unknown> = {}): Promise<DavFixture> {
  process.env.STRATA_KDF_N = '1024';
  const dir = mkdtempSync(join(tmpdir(), 'strata-dav-'));
  try {
    await Archive.init(join(dir, 'ar'), { password: () => 'pw' });
    const archive = await Archive.open(join(dir, 'ar'), { password: () => 'pw' });
    const user = 'dav';
    const pass = 'secret pw';
    const events: RequestEvent[] = [];
    const server = new StrataServer(archive, {
      users: [{ name: user, password: pass, home: '/', readOnly: false, snapshotCreate: true, snapshotDelete: true }],
      log: pino({ level: process.env.STRATA_LOG_LEVEL ?? 'silent' }),
      observe: (e) => events.push(e),
    });
    const running = await server.start({ name: 'webdav', start, options: { listen: { host: '127.0.0.1', port: 0 }, ...options } });
    const url = running.urls[0]!;
    return {
      url,
      port: Number(new URL(url).port),
      user,
      pass,
      server,
      events,
      authHeader: 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64'),
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
