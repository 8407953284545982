// WebDAV locks survive a restart of `strata serve` (kept in <archive>/webdav-locks.json); expired
// ones do not come back, and an unreadable locks file costs its locks, not the server.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { strataOk } from '../helpers/cli.ts';
import { freePort, startServe, type ServeProcess } from '../helpers/serve.ts';
import { withTmp } from '../helpers/tmp.ts';

const AUTH = 'Basic ' + Buffer.from('u:p').toString('base64');
const LOCKINFO = '<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>editor</D:owner></D:lockinfo>';

const test = suite('webdav: locks across a restart');

/** `strata serve` with WebDAV on `port`, for the archive at `archive`. */
function serve(archive: string, port: number): Promise<ServeProcess> {
  return startServe(archive, ['--webdav', `127.0.0.1:${port}`, '--user', 'u:p'], ['webdav']);
}

function dav(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Response> {
  return fetch(base + path, { method, headers: { Authorization: AUTH, ...headers }, body });
}

async function lock(base: string, path: string, timeout: string): Promise<string> {
  const res = await dav(base, 'LOCK', path, { Timeout: timeout, 'Content-Type': 'application/xml' }, LOCKINFO);
  assert.ok(res.status === 200 || res.status === 201, `LOCK ${path}: ${res.status}`);
  await res.arrayBuffer();
  const token = /^<(.+)>$/.exec(res.headers.get('lock-token') ?? '')?.[1];
  assert.ok(token, 'Lock-Token header');
  return token!;
}

async function status(res: Promise<Response>): Promise<number> {
  const r = await res;
  await r.arrayBuffer();
  return r.status;
}

/** Runs `fn` with a new archive and a free port; stops the server it left running and removes the archive. */
function withArchive(fn: (archive: string, port: number, running: { srv: ServeProcess | null }) => Promise<void>): Promise<void> {
  return withTmp(async (dir) => {
    const running: { srv: ServeProcess | null } = { srv: null };
    try {
      const archive = join(dir, 'ar');
      strataOk(['init', archive]);
      await fn(archive, await freePort(), running);
    } finally {
      await running.srv?.stop();
    }
  });
}

test('a lock taken before a restart still holds after it; an expired one is gone; UNLOCK empties the file', () =>
  withArchive(async (archive, port, running) => {
    const base = `http://127.0.0.1:${port}`;
    running.srv = await serve(archive, port);
    assert.is(await status(dav(base, 'PUT', '/doc.txt', {}, 'v1')), 201);
    assert.is(await status(dav(base, 'PUT', '/brief.txt', {}, 'v1')), 201);
    const token = await lock(base, '/doc.txt', 'Second-3600');
    await lock(base, '/brief.txt', 'Second-1');
    assert.ok(existsSync(join(archive, 'webdav-locks.json')), 'locks written down');
    await running.srv.stop();
    await new Promise((r) => setTimeout(r, 1100)); // the one-second lock expires meanwhile

    running.srv = await serve(archive, port);
    assert.is(await status(dav(base, 'PUT', '/doc.txt', {}, 'v2')), 423, 'still locked after the restart');
    assert.is(await status(dav(base, 'PUT', '/doc.txt', { If: `(<${token}>)` }, 'v2')), 204, 'the token still works');
    assert.is(await status(dav(base, 'PUT', '/brief.txt', {}, 'v2')), 204, 'the expired lock did not come back');
    assert.is(await status(dav(base, 'UNLOCK', '/doc.txt', { 'Lock-Token': `<${token}>` })), 204);
    assert.not.ok(existsSync(join(archive, 'webdav-locks.json')), 'no locks, no file');
  }),
);

test('an unreadable locks file: the server starts without its locks and writes a good one', () =>
  withArchive(async (archive, port, running) => {
    writeFileSync(join(archive, 'webdav-locks.json'), '{"v":1,"locks":[{"token":"../../etc"}]');
    const base = `http://127.0.0.1:${port}`;
    running.srv = await serve(archive, port);
    assert.match(running.srv.output(), /locks file is not valid/);
    assert.is(await status(dav(base, 'PUT', '/doc.txt', {}, 'v1')), 201);
    const token = await lock(base, '/doc.txt', 'Second-600');
    await running.srv.stop();
    running.srv = await serve(archive, port);
    assert.is(await status(dav(base, 'PUT', '/doc.txt', { If: `(<${token}>)` }, 'v2')), 204);
    assert.is(await status(dav(base, 'PUT', '/doc.txt', {}, 'v3')), 423);
  }),
);

test.run();
