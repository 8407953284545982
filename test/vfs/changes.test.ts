// The Vfs change feed: each mutation publishes the expected change, views tag their origin, a user's scoped
// view sees paths inside its home only, and a throwing listener never fails the Vfs call.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withOrigin } from '../../core/vfs/changes.ts';
import { scopeVfs } from '../../core/vfs/scoped-vfs.ts';
import type { Vfs, VfsChange } from '../../core/vfs/types.ts';
import { withVfs } from '../helpers/archive.ts';

const user = (home: string) => ({ name: 'u', home, readOnly: false, snapshotCreate: true, snapshotDelete: true });

/** Records every change `vfs` publishes while `fn` runs; the short form is `action op path[<-from] kind [n][c][a]`. */
async function record(vfs: Vfs, fn: () => Promise<unknown>): Promise<string[]> {
  const seen: VfsChange[] = [];
  const stop = vfs.watch((c) => seen.push(c));
  try {
    await fn();
  } finally {
    stop();
  }
  return seen.map(short);
}

function short(c: VfsChange): string {
  const aspects = (c.name ? 'n' : '') + (c.content ? 'c' : '') + (c.attributes ? 'a' : '');
  return `${c.action} ${c.op} ${c.path}${c.from ? '<-' + c.from : ''} ${c.kind} ${aspects}${c.origin ? ' @' + c.origin : ''}`;
}

test('each mutation publishes one change after it succeeds', () =>
  withVfs(async (vfs) => {
    assert.equal(await record(vfs, () => vfs.mkdir('/d')), ['added mkdir /d dir n']);
    assert.equal(await record(vfs, () => vfs.writeFile('/d/f', Buffer.from('one'))), ['added create /d/f file nc']);
    assert.equal(await record(vfs, () => vfs.writeFile('/d/f', Buffer.from('two'))), ['modified write /d/f file c']);
    assert.equal(await record(vfs, () => vfs.setattr('/d/f', { mode: 0o600 })), ['modified setattr /d/f file a']);
    assert.equal(await record(vfs, () => vfs.setattr('/d/f', { size: 1 })), ['modified truncate /d/f file c']);
    assert.equal(await record(vfs, () => vfs.setxattr('/d/f', 'user.k', Buffer.from('v'))), ['modified xattr /d/f file a']);
    assert.equal(await record(vfs, () => vfs.removexattr('/d/f', 'user.k')), ['modified xattr /d/f file a']);
    assert.equal(await record(vfs, () => vfs.symlink('f', '/d/l')), ['added symlink /d/l symlink n']);
    assert.equal(await record(vfs, () => vfs.rename('/d/f', '/d/g')), ['renamed rename /d/g<-/d/f file n']);
    assert.equal(await record(vfs, () => vfs.unlink('/d/l')), ['removed unlink /d/l symlink n']);
    assert.equal(await record(vfs, () => vfs.unlink('/d/g')), ['removed unlink /d/g file n']);
    assert.equal(await record(vfs, () => vfs.rmdir('/d')), ['removed rmdir /d dir n']);
    assert.equal(await record(vfs, () => vfs.mkdir('/.snapshots/s1')), ['added snapshot /.snapshots/s1 dir n']);
    assert.equal(await record(vfs, () => vfs.rmdir('/.snapshots/s1')), ['removed snapshot /.snapshots/s1 dir n']);
  }));

test('failed mutations and reads publish nothing', () =>
  withVfs(async (vfs) => {
    await vfs.writeFile('/f', Buffer.from('x'));
    const seen = await record(vfs, async () => {
      await vfs.mkdir('/f').catch(() => undefined);
      await vfs.unlink('/missing').catch(() => undefined);
      await vfs.rename('/missing', '/g').catch(() => undefined);
      await vfs.stat('/f');
      await vfs.readdir('/');
      const h = await vfs.open('/f');
      await h.read(0, 10);
      await h.close();
    });
    assert.equal(seen, []);
  }));

test('a handle publishes when it creates and when flush or close commits its content, with its path after a rename', () =>
  withVfs(async (vfs) => {
    const seen = await record(vfs, async () => {
      const h = await vfs.open('/f', { create: true, write: true });
      await h.write(0, Buffer.from('hello'));
      await h.flush();
      await h.flush();
      await vfs.rename('/f', '/g');
      await h.write(5, Buffer.from(' world'));
      await h.close();
      const t = await vfs.open('/g', { write: true });
      await t.truncate(2);
      await t.fsync();
      await t.close();
    });
    assert.equal(seen, ['added create /f file n', 'modified write /f file c', 'renamed rename /g<-/f file n', 'modified write /g file c', 'modified truncate /g file c']);
  }));

test('a view made by withOrigin stamps its changes, including its handles\' commits', () =>
  withVfs(async (vfs) => {
    const tagged = withOrigin(vfs, 'smb');
    const seen = await record(vfs, async () => {
      await tagged.mkdir('/d');
      const h = await tagged.open('/d/f', { create: true, write: true });
      await h.write(0, Buffer.from('x'));
      await h.close();
      await vfs.writeFile('/d/g', Buffer.from('y'));
    });
    assert.equal(seen, ['added mkdir /d dir n @smb', 'added create /d/f file n @smb', 'modified write /d/f file c @smb', 'added create /d/g file nc']);
    const scoped = withOrigin(scopeVfs(vfs, user('/')), 'ftp');
    assert.equal(await record(vfs, () => scoped.unlink('/d/g')), ['removed unlink /d/g file n @ftp']);
  }));

test('a scoped view maps paths into the home and drops changes outside it', () =>
  withVfs(async (vfs) => {
    await vfs.mkdir('/home');
    await vfs.mkdir('/home/alice');
    await vfs.mkdir('/other');
    const alice = scopeVfs(vfs, user('/home/alice'));
    const seen = await record(alice, async () => {
      await vfs.writeFile('/home/alice/a', Buffer.from('1'));
      await vfs.writeFile('/other/b', Buffer.from('2'));
      await vfs.writeFile('/home/alicex', Buffer.from('3'));
      await alice.mkdir('/sub');
      await vfs.rename('/other/b', '/home/alice/b');
      await vfs.rename('/home/alice/a', '/other/a');
      await vfs.rename('/home/alice/b', '/home/alice/sub/b');
      await vfs.setattr('/home/alice', { mode: 0o700 });
      await vfs.mkdir('/.snapshots/s1');
    });
    assert.equal(seen, [
      'added create /a file nc',
      'added mkdir /sub dir n',
      'added rename /b file n',
      'removed rename /a file n',
      'renamed rename /sub/b<-/b file n',
      'modified setattr / dir a',
      'added snapshot /.snapshots/s1 dir n',
    ]);
  }));

const errors: string[] = [];
test('a throwing listener does not fail the Vfs call nor starve other listeners; unsubscribing stops delivery', () =>
  withVfs(
    async (vfs) => {
      const got: string[] = [];
      const stopBad = vfs.watch(() => {
        throw new Error('listener bug');
      });
      const stopGood = vfs.watch((c) => got.push(c.path));
      await vfs.writeFile('/f', Buffer.from('x'));
      await vfs.mkdir('/d');
      assert.equal(got, ['/f', '/d']);
      assert.equal(errors, ['listener bug', 'listener bug']);
      stopGood();
      stopGood();
      stopBad();
      await vfs.mkdir('/e');
      assert.equal(got, ['/f', '/d']);
      assert.equal(errors.length, 2);
    },
    { vfs: { onListenerError: (err) => errors.push((err as Error).message) } },
  ));

test.run();
