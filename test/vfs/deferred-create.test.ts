// OpenFlags.deferCreate (the mount's create): the handle comes back before the new entry commits; the
// path stats at once, attributes set meanwhile ride with the first commit, close makes it durable (also
// with nothing written), and a create that fails is reported by close.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Archive } from '../../core/archive.ts';
import { isVfsError } from '../../core/errors.ts';
import type { Vfs, VfsFile } from '../../core/vfs/types.ts';
import { createVfs } from '../../core/vfs/vfs.ts';
import { withVfs } from '../helpers/archive.ts';

const deferred = { write: true, create: true, deferCreate: true } as const;

/** A deferred create in /d, opened while an rmdir of /d was already under way (done when this returns). */
async function openInRemovedDir(vfs: Vfs): Promise<VfsFile> {
  await vfs.mkdir('/d');
  const removing = vfs.rmdir('/d');
  const f = await vfs.open('/d/f', deferred);
  await removing;
  return f;
}

/** The VfsError code `p` fails with (undefined when it does not fail). */
const codeOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => (isVfsError(e) ? e.code : String(e)));

test('deferred create: stat at once, attributes ride along, durable at close across a reopen', () =>
  withVfs(async (vfs, archive, dir) => {
    const f = await vfs.open('/f', { ...deferred, mode: 0o600 });
    assert.is((await vfs.stat('/f')).kind, 'file', 'the path stats before its entry committed');
    await f.write(0, Buffer.from('content'));
    const mtimeNs = 1_600_000_000_123_000_000n;
    await vfs.setattr('/f', { mtimeNs, uid: 1000 });
    const seen = await vfs.stat('/f');
    assert.equal([seen.size, seen.mode, seen.uid, seen.mtimeNs], [7, 0o600, 1000, mtimeNs]);
    await f.close();
    const empty = await vfs.open('/touched', deferred);
    await empty.close();
    assert.equal((await vfs.readdir('/')).map((e) => e.name), ['f', 'touched']);
    await archive.close();
    const again = await Archive.open(`${dir}/ar`, { password: () => 'pw' });
    try {
      const v = createVfs(again);
      const st = await v.stat('/f');
      assert.equal([st.size, st.mode, st.uid, st.mtimeNs], [7, 0o600, 1000, mtimeNs], 'committed with its content');
      assert.is((await v.stat('/touched')).size, 0, 'a file closed with nothing written is committed too');
      const r = await v.open('/f');
      assert.is((await r.read(0, 100)).toString(), 'content');
      await r.close();
    } finally {
      await again.close();
    }
  }));

test('deferred create: unlink and rename right after it run in order', () =>
  withVfs(async (vfs) => {
    const a = await vfs.open('/a', deferred);
    await vfs.unlink('/a');
    await a.write(0, Buffer.from('gone'));
    await a.close();
    const b = await vfs.open('/b', deferred);
    await b.write(0, Buffer.from('moved'));
    await vfs.rename('/b', '/c');
    await b.close();
    assert.equal((await vfs.readdir('/')).map((e) => e.name), ['c']);
    assert.is((await vfs.stat('/c')).size, 5);
  }));

test('deferred create unlinked while its first commit waits: no entry is ever written', () =>
  withVfs(async (vfs, archive, dir) => {
    const f = await vfs.open('/tmp', deferred);
    await f.write(0, Buffer.from('scratch'));
    const closing = f.close();
    await vfs.unlink('/tmp');
    await closing;
    assert.equal((await vfs.readdir('/')).map((e) => e.name), []);
    await archive.close();
    const again = await Archive.open(`${dir}/ar`, { password: () => 'pw' });
    try {
      assert.equal((await createVfs(again).readdir('/')).map((e) => e.name), []);
    } finally {
      await again.close();
    }
  }));

test('deferred create: a directory listing, mkdir of the name and rmdir of the parent see the open file', () =>
  withVfs(async (vfs) => {
    await vfs.mkdir('/d');
    const f = await vfs.open('/d/f', deferred);
    assert.equal((await vfs.readdir('/d')).map((e) => e.name), ['f'], 'listed while still open');
    const g = await vfs.open('/d/g', deferred);
    assert.is(await codeOf(vfs.mkdir('/d/g')), 'EEXIST');
    assert.is(await codeOf(vfs.rmdir('/d')), 'ENOTEMPTY');
    await f.close();
    await g.close();
  }));

test('deferred create that fails (its directory removed first): close reports it, nothing is left', () =>
  withVfs(async (vfs) => {
    const f = await openInRemovedDir(vfs);
    await f.write(0, Buffer.from('lost'));
    assert.is(await codeOf(f.close()), 'ENOENT', 'close fails with ENOENT');
    assert.equal((await vfs.readdir('/')).map((e) => e.name), []);
  }));

test('deferred create written early that fails (a listing forced it, its directory was gone): later flushes report it', () =>
  withVfs(async (vfs) => {
    const f = await openInRemovedDir(vfs);
    assert.is(await codeOf(vfs.readdir('/d')), 'ENOENT', 'the listing forces the entry, whose directory is gone');
    await f.write(0, Buffer.from('lost'));
    assert.is(await codeOf(f.flush()), 'ENOENT', 'the flush reports that the file could not be created');
    await f.close().catch(() => undefined);
  }));

test.run();
