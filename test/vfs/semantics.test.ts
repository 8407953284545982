// Vfs behaviours beyond the shared suite: open-unlinked files, stable inodes, paging, xattrs,
// cost of small writes and snapshots, snapshot deletion, prune under concurrent writes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { archiveStats } from '../../core/maintenance/stats.ts';
import { pruneArchive } from '../../core/maintenance/prune.ts';
import { takeSnapshot } from '../../core/snapshot/take-snapshot.ts';
import { isVfsError } from '../../core/errors.ts';
import { withVfs } from '../helpers/archive.ts';
import { noise } from '../helpers/tree.ts';
import { rejects } from '../conformance/cases.ts';

const read = async (vfs: import('../../core/vfs/vfs.ts').ArchiveVfs, p: string) => {
  const f = await vfs.open(p);
  try {
    return await f.read(0, 1 << 30);
  } finally {
    await f.close();
  }
};

test('an unlinked open file stays readable through its handle', () =>
  withVfs(async (vfs) => {
    await vfs.writeFile('/f', Buffer.from('still here'));
    const h = await vfs.open('/f');
    await vfs.unlink('/f');
    assert.is((await h.read(0, 100)).toString(), 'still here');
    await h.close();
    await rejects(vfs.stat('/f'), 'ENOENT');
  }));

test('a file replaced by writeFile reads as replaced through handles already open on it', () =>
  withVfs(async (vfs) => {
    await vfs.writeFile('/f', Buffer.from('old content'));
    const open = await vfs.open('/f');
    assert.is((await open.read(0, 100)).toString(), 'old content');
    await vfs.writeFile('/f', Buffer.from('new'));
    assert.is((await open.read(0, 100)).toString(), 'new');
    assert.is((await open.stat()).size, 3);
    assert.is((await read(vfs, '/f')).toString(), 'new');
    await open.close();
  }));

test('a handle with unflushed writes keeps them over a concurrent writeFile, and its flush wins', () =>
  withVfs(async (vfs) => {
    await vfs.writeFile('/f', Buffer.from('0123456789'));
    const w = await vfs.open('/f', { write: true });
    await w.write(0, Buffer.from('AB'));
    await vfs.writeFile('/f', Buffer.from('upload'));
    assert.is((await w.read(0, 100)).toString(), 'AB23456789');
    await w.close();
    assert.is((await read(vfs, '/f')).toString(), 'AB23456789');
  }));

test('inode numbers are stable across renames and distinct', () =>
  withVfs(async (vfs) => {
    await vfs.mkdir('/a');
    const before = (await vfs.writeFile('/a/x', Buffer.from('1'))).ino;
    await vfs.rename('/a', '/b');
    assert.is((await vfs.stat('/b/x')).ino, before);
    const other = (await vfs.writeFile('/b/y', Buffer.from('2'))).ino;
    assert.is.not(other, before);
  }));

test('readdir pages through a large directory in name order', () =>
  withVfs(async (vfs) => {
    await vfs.mkdir('/big');
    await Promise.all(Array.from({ length: 250 }, (_, i) => vfs.writeFile(`/big/f${String(i).padStart(3, '0')}`, Buffer.from(String(i)))));
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await vfs.readdir('/big', { after, limit: 64 });
      if (page.length === 0) break;
      seen.push(...page.map((e) => e.name));
      after = page[page.length - 1]!.name;
    }
    assert.is(seen.length, 250);
    assert.equal(seen, [...seen].sort());
  }));

test('extended attributes: set, get, list, replace/create flags, remove; kept in snapshots', () =>
  withVfs(async (vfs) => {
    await vfs.writeFile('/x', Buffer.from('x'));
    await vfs.setxattr('/x', 'user.color', Buffer.from('blue'));
    assert.is((await vfs.getxattr('/x', 'user.color')).toString(), 'blue');
    assert.equal(await vfs.listxattr('/x'), ['user.color']);
    await rejects(vfs.setxattr('/x', 'user.color', Buffer.from('red'), { create: true }), 'EEXIST');
    await vfs.mkdir('/.snapshots/s');
    await vfs.removexattr('/x', 'user.color');
    assert.equal(await vfs.listxattr('/x'), []);
    assert.is((await vfs.getxattr('/.snapshots/s/x', 'user.color')).toString(), 'blue');
  }));

test('a 4 KiB write into a large file stores about one chunk, not the file', () =>
  withVfs(async (vfs, archive) => {
    const size = 32 * 1024 * 1024;
    await vfs.writeFile('/big', noise(size, 9));
    const before = (await archiveStats(archive)).storedBytes;
    const f = await vfs.open('/big', { write: true });
    await f.write(size / 2, Buffer.alloc(4096, 7));
    await f.close();
    const grown = (await archiveStats(archive)).storedBytes - before;
    assert.ok(grown < 1024 * 1024, `grew ${grown} bytes for a 4 KiB write into ${size}`);
    const got = await read(vfs, '/big');
    assert.is(got.length, size);
    assert.ok(got.subarray(size / 2, size / 2 + 4096).equals(Buffer.alloc(4096, 7)));
  }));

test('snapshot cost grows with the change: an untouched subtree is not re-encoded', () =>
  withVfs(async (vfs, archive) => {
    for (let d = 0; d < 20; d++) {
      await vfs.mkdir(`/d${d}`);
      for (let i = 0; i < 10; i++) await vfs.writeFile(`/d${d}/f${i}`, Buffer.from(`${d}/${i}`));
    }
    await takeSnapshot(archive, 'one');
    const trees = () => [...archive.db.blobs.getRange({})].filter((e) => e.value.readUInt8(28) === 2).length;
    const first = trees();
    await vfs.writeFile('/d7/f3', Buffer.from('changed'));
    await takeSnapshot(archive, 'two');
    assert.is(trees() - first, 2, 'only /d7 and the root are new trees');
  }));

test('rmdir /.snapshots/NAME deletes the snapshot; writes inside it are EROFS', () =>
  withVfs(async (vfs) => {
    await vfs.writeFile('/a', Buffer.from('a'));
    await vfs.mkdir('/.snapshots/keep');
    await vfs.mkdir('/.snapshots/drop');
    const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e) => (isVfsError(e) ? e.code : String(e)));
    assert.is(await code(vfs.open('/.snapshots/keep/a', { write: true })), 'EROFS');
    assert.is(await code(vfs.setattr('/.snapshots/keep/a', { mode: 0o600 })), 'EROFS');
    assert.is(await code(vfs.mkdir('/.snapshots/keep')), 'EEXIST');
    assert.is(await code(vfs.mkdir('/.snapshots/bad name')), 'EINVAL');
    await vfs.rmdir('/.snapshots/drop');
    assert.equal((await vfs.readdir('/.snapshots')).map((e) => e.name), ['keep']);
  }));

test('prune while writers run: nothing they reference is lost', () =>
  withVfs(async (vfs, archive) => {
    for (let i = 0; i < 10; i++) await vfs.writeFile(`/old${i}`, noise(200_000, i + 1));
    for (let i = 0; i < 10; i++) await vfs.unlink(`/old${i}`);
    const writers = Array.from({ length: 10 }, (_, i) => vfs.writeFile(`/new${i}`, noise(200_000, i + 1)));
    const report = await pruneArchive(archive, { extraRoots: () => vfs.openChunkIds(), repackAbove: 0 });
    await Promise.all(writers);
    for (let i = 0; i < 10; i++) assert.ok((await read(vfs, `/new${i}`)).equals(noise(200_000, i + 1)), `new${i}`);
    assert.ok(report.blobs > 0);
    const again = await pruneArchive(archive, { extraRoots: () => vfs.openChunkIds(), repackAbove: 0 });
    for (let i = 0; i < 10; i++) assert.ok((await read(vfs, `/new${i}`)).equals(noise(200_000, i + 1)), `new${i} after second prune`);
    assert.is(again.blobsUnused, 0);
  }));

test('concurrent handles on one file see each other\'s writes; the last flush wins', () =>
  withVfs(async (vfs) => {
    const a = await vfs.open('/shared', { write: true, create: true });
    const b = await vfs.open('/shared', { write: true });
    await a.write(0, Buffer.from('aaaa'));
    assert.is((await b.read(0, 10)).toString(), 'aaaa');
    await b.write(2, Buffer.from('BB'));
    await a.close();
    await b.close();
    assert.is((await read(vfs, '/shared')).toString(), 'aaBB');
  }));

test('an explicit mtime set while writes are unflushed is kept (cp -a, tar and rsync set times before close)', () =>
  withVfs(async (vfs) => {
    const f = await vfs.open('/t', { write: true, create: true });
    await f.write(0, Buffer.from('data'));
    await vfs.setattr('/t', { mtimeNs: 1_500_000_000_000_000_000n });
    await f.close();
    assert.is((await vfs.stat('/t')).mtimeNs, 1_500_000_000_000_000_000n);
  }));

test.run();
