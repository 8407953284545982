// `strata serve` runs in a child node with heap flags (bin/relaunch.js): the pid a script started stays
// in charge. SIGTERM to it stops the server cleanly; SIGKILL of it takes the server down too.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { strataOk } from '../helpers/cli.ts';
import { eventually } from '../helpers/protocol-clients.ts';
import { childPids, freePort, startServe, type ServeProcess } from '../helpers/serve.ts';
import { withTmp } from '../helpers/tmp.ts';

/** True while `pid` is a live process (a zombie waiting for its new parent to reap it counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** `strata serve` of a fresh archive in `dir` over WebDAV, with the pid of the node that serves. */
async function serveWebdav(dir: string): Promise<{ serve: ServeProcess; port: number; server: number | undefined }> {
  const ar = join(dir, 'ar');
  strataOk(['init', ar]);
  const port = await freePort();
  const serve = await startServe(ar, ['--webdav', `127.0.0.1:${port}`, '--user', 'u:pw'], ['webdav']);
  return { serve, port, server: childPids(serve.child.pid!)[0] };
}

test('the server runs in a child node with --initial-old-space-size; SIGTERM to the parent stops it with exit 0', () =>
  withTmp(async (dir) => {
    const { serve, port, server } = await serveWebdav(dir);
    try {
      assert.ok(server, 'bin/strata.js started a child');
      assert.match(readFileSync(`/proc/${server}/cmdline`, 'utf8'), /--initial-old-space-size=64/);
      const exited = new Promise<number | null>((r) => serve.child.once('exit', (code) => r(code)));
      serve.child.kill('SIGTERM');
      assert.is(await exited, 0);
      assert.ok(await eventually(async () => !alive(server!), 2000), 'the child stopped');
      assert.not.ok(await listening(port), 'nothing listens any more');
    } finally {
      await serve.stop();
    }
  }));

test('SIGKILL of the parent takes the server down at once', () =>
  withTmp(async (dir) => {
    const { serve, port, server } = await serveWebdav(dir);
    try {
      assert.ok(server && alive(server), 'a live child');
      assert.ok(await listening(port));
      serve.child.kill('SIGKILL');
      assert.ok(await eventually(async () => !alive(server), 1000), 'the child died within a second');
      assert.not.ok(await listening(port), 'nothing listens any more');
    } finally {
      await serve.stop();
      if (server && alive(server)) process.kill(server, 'SIGKILL');
    }
  }));

test.run();
