// The mount's own attribute cache (mount/attr-cache.ts) keeps a file's stat for 30 s, past the
// kernel's 1 s: every change made through another frontend, every write through the mount, and every
// change another process commits to the archive must still show within the kernel's bound. Each check
// stats through the mount twice, 1.1 s apart (the second answer comes from the mount's cache), changes
// the entry, waits out the kernel's 1 s and stats again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RawFtp } from '../ftp/raw.ts';
import { strataOk } from '../helpers/cli.ts';
import { webdavClient } from '../helpers/protocol-clients.ts';
import { freePort, startServe } from '../helpers/serve.ts';
import { withTmp } from '../helpers/tmp.ts';

const KERNEL_CACHE_MS = 1100;

/**
 * Runs `fn` against a new archive served with a mount at `mnt` and, when `frontend` is given, that
 * frontend on a free port with user u:p; stops the server whatever happens.
 */
async function withServedMount(frontend: 'webdav' | 'ftp' | null, fn: (s: { ar: string; mnt: string; dir: string; port: number }) => Promise<void>): Promise<void> {
  await withTmp(async (dir) => {
    const ar = join(dir, 'ar');
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    strataOk(['init', ar]);
    const port = await freePort();
    const args = frontend ? [`--${frontend}`, `127.0.0.1:${port}`, '--user', 'u:p'] : [];
    const serve = await startServe(ar, [...args, '--mount', mnt], frontend ? [frontend, 'mount'] : ['mount'], {}, mnt);
    try {
      await fn({ ar, mnt, dir, port });
    } finally {
      await serve.stop();
    }
  });
}

/** Stats `path` now and again after the kernel's cache expired, so that the mount's cache holds it. */
async function cached(path: string): Promise<number> {
  statSync(path);
  await sleep(KERNEL_CACHE_MS);
  return statSync(path).size;
}

test('changes through WebDAV and writes through the mount show past the mount\'s attribute cache', () =>
  withServedMount('webdav', async ({ mnt, port }) => {
    const dav = webdavClient(port, 'u', 'p');
    mkdirSync(join(mnt, 'd'));
    writeFileSync(join(mnt, 'd', 'f'), 'one');
    writeFileSync(join(mnt, 'g'), 'two');
    writeFileSync(join(mnt, 'h'), 'three');

    assert.is(await cached(join(mnt, 'g')), 3);
    assert.ok((await dav.put('/g', Buffer.from('longer content'))).ok, 'PUT /g');
    await sleep(KERNEL_CACHE_MS);
    assert.is(statSync(join(mnt, 'g')).size, 14, 'a PUT through WebDAV changes the size seen through the mount');

    await cached(join(mnt, 'h'));
    assert.ok((await dav.remove('/h')).ok, 'DELETE /h');
    await sleep(KERNEL_CACHE_MS);
    assert.not.ok(existsSync(join(mnt, 'h')), 'a file deleted through WebDAV is gone from the mount');

    assert.is(await cached(join(mnt, 'd', 'f')), 3);
    assert.ok((await dav.rename('/d', '/e')).ok, 'MOVE /d /e');
    await sleep(KERNEL_CACHE_MS);
    assert.not.ok(existsSync(join(mnt, 'd', 'f')), 'a file under a directory moved through WebDAV is gone from its old path');
    assert.is(statSync(join(mnt, 'e', 'f')).size, 3);
    assert.ok((await dav.mkdir('/d')).ok, 'MKCOL /d');
    await sleep(KERNEL_CACHE_MS);
    assert.not.ok(existsSync(join(mnt, 'd', 'f')), 'a new directory under the moved one\'s name is empty through the mount');

    assert.is(await cached(join(mnt, 'e', 'f')), 3);
    appendFileSync(join(mnt, 'e', 'f'), ' and more');
    assert.is(statSync(join(mnt, 'e', 'f')).size, 12, 'an append through the mount shows at once');
  }));

test('a chmod through the mount shows at once, also on a file an FTP upload holds open', () =>
  withServedMount('ftp', async ({ mnt, port }) => {
    const ftp = await RawFtp.open(port);
    try {
      writeFileSync(join(mnt, 'g'), 'two');
      assert.is(await cached(join(mnt, 'g')), 3);
      await ftp.login();
      const data = await ftp.passive();
      const started = await ftp.cmd('APPE g');
      assert.is(started.code, 150, started.text);
      data.write(' and some');
      await sleep(200); // the appended bytes reach the open file: a chmod now rides with its commit (published at once)
      chmodSync(join(mnt, 'g'), 0o600);
      assert.is(statSync(join(mnt, 'g')).mode & 0o777, 0o600, 'the new mode, while the upload holds the file open');
      data.end();
      assert.is((await ftp.reply()).code, 226);
      await sleep(KERNEL_CACHE_MS);
      const after = statSync(join(mnt, 'g'));
      assert.is(after.mode & 0o777, 0o600);
      assert.is(after.size, 12);
    } finally {
      ftp.close();
    }
  }));

test('a change another process commits (strata import into the served archive) shows through the mount', () =>
  withServedMount(null, async ({ ar, mnt, dir }) => {
    const src = join(dir, 'src');
    mkdirSync(src);
    writeFileSync(join(mnt, 'g'), 'two');
    assert.is(await cached(join(mnt, 'g')), 3);
    writeFileSync(join(src, 'g'), 'imported, longer');
    strataOk(['import', ar, src, '--no-snapshot']);
    await sleep(KERNEL_CACHE_MS);
    assert.is(statSync(join(mnt, 'g')).size, 16, 'the imported file\'s size');
  }));

test.run();
