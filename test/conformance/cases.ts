// The conformance suite: filesystem behaviours written once, run against every frontend's driver.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { FsClient } from './client.ts';
import { noise } from '../helpers/tree.ts';

/** How a driver provides a fresh client on a fresh archive, and tears it down. */
export type ClientFactory = () => Promise<{ client: FsClient; close: () => Promise<void> }>;

/** Expects `p` to reject with `code` (any of `codes` for protocol drivers that cannot tell them apart). */
export async function rejects(p: Promise<unknown>, ...codes: string[]): Promise<void> {
  try {
    await p;
  } catch (err) {
    const code = (err as { code?: string }).code;
    assert.ok(code !== undefined && codes.includes(code), `expected ${codes.join('|')}, got ${code}: ${(err as Error).message}`);
    return;
  }
  assert.unreachable(`expected ${codes.join('|')}, but it succeeded`);
}

/** Registers and runs every conformance case for one driver. */
export function runConformance(driver: string, factory: ClientFactory): void {
  const s = suite<{ c: FsClient; close: () => Promise<void> }>(`conformance: ${driver}`);
  s.before.each(async (ctx) => {
    const { client, close } = await factory();
    ctx.c = client;
    ctx.close = close;
  });
  s.after.each(async (ctx) => {
    await ctx.close?.();
  });
  const only = (cap: keyof FsClient['caps'], name: string, fn: (c: FsClient) => Promise<void>) =>
    s(name, async (ctx) => {
      if (!ctx.c.caps[cap]) return;
      await fn(ctx.c);
    });

  s('write, read back, overwrite, empty file', async ({ c }) => {
    await c.writeFile('/a.txt', Buffer.from('hello'));
    assert.is((await c.readFile('/a.txt')).toString(), 'hello');
    await c.writeFile('/a.txt', Buffer.from('bye'));
    assert.is((await c.readFile('/a.txt')).toString(), 'bye');
    assert.is((await c.stat('/a.txt')).size, 3);
    await c.writeFile('/empty', Buffer.alloc(0));
    assert.is((await c.readFile('/empty')).length, 0);
    assert.is((await c.stat('/empty')).kind, 'file');
  });

  s('large file round trip (5 MiB + 1)', async ({ c }) => {
    const data = noise(5 * 1024 * 1024 + 1, 77);
    await c.writeFile('/big.bin', data);
    assert.ok((await c.readFile('/big.bin')).equals(data));
    assert.is((await c.stat('/big.bin')).size, data.length);
  });

  s('directories: nested create, list, rmdir rules', async ({ c }) => {
    await c.mkdir('/d');
    await c.mkdir('/d/e');
    await c.writeFile('/d/e/f.txt', Buffer.from('x'));
    assert.equal((await c.list('/d')).sort(), ['e']);
    assert.equal(await c.list('/d/e'), ['f.txt']);
    assert.is((await c.stat('/d/e')).kind, 'dir');
    await rejects(c.rmdir('/d'), 'ENOTEMPTY', 'EEXIST', 'EACCES', 'EIO');
    await c.unlink('/d/e/f.txt');
    await c.rmdir('/d/e');
    assert.equal(await c.list('/d'), []);
  });

  s('errors: missing entries, existing names, missing parents', async ({ c }) => {
    await rejects(c.readFile('/nope'), 'ENOENT');
    await rejects(c.unlink('/nope'), 'ENOENT');
    await rejects(c.stat('/nope/deeper'), 'ENOENT');
    await rejects(c.writeFile('/no/such/dir.txt', Buffer.from('x')), 'ENOENT');
    await c.mkdir('/x');
    await rejects(c.mkdir('/x'), 'EEXIST');
    await rejects(c.rename('/nope', '/x2'), 'ENOENT');
    await rejects(c.list('/nope'), 'ENOENT');
  });

  only('exactErrors', 'errors: kinds of entries (exact codes)', async (c) => {
    await c.mkdir('/dir');
    await c.writeFile('/file', Buffer.from('1'));
    await rejects(c.readFile('/dir'), 'EISDIR');
    await rejects(c.unlink('/dir'), 'EISDIR', 'EPERM');
    await rejects(c.rmdir('/file'), 'ENOTDIR');
    await rejects(c.mkdir('/file/sub'), 'ENOTDIR');
    await rejects(c.writeFile('/file/sub', Buffer.from('x')), 'ENOTDIR');
    await rejects(c.rename('/dir', '/file'), 'ENOTDIR');
    await rejects(c.rename('/file', '/dir'), 'EISDIR');
    await rejects(c.rename('/dir', '/dir/inside'), 'EINVAL');
  });

  s('rename: file, over an existing file, directory with contents', async ({ c }) => {
    await c.writeFile('/r1', Buffer.from('one'));
    await c.rename('/r1', '/r2');
    await rejects(c.readFile('/r1'), 'ENOENT');
    assert.is((await c.readFile('/r2')).toString(), 'one');
    await c.writeFile('/r3', Buffer.from('three'));
    await c.rename('/r2', '/r3');
    assert.is((await c.readFile('/r3')).toString(), 'one');
    await c.mkdir('/src');
    await c.mkdir('/src/sub');
    await c.writeFile('/src/sub/f', Buffer.from('deep'));
    await c.mkdir('/dst');
    await c.rename('/src', '/dst/moved');
    assert.is((await c.readFile('/dst/moved/sub/f')).toString(), 'deep');
    await rejects(c.stat('/src'), 'ENOENT');
  });

  s('awkward names: spaces, # % ?, unicode, 255 bytes; 256 bytes is refused', async ({ c }) => {
    const names = ['with space.txt', 'hash#pct%q?.txt', 'ünïcødé ☃ 日本語.txt', 'a'.repeat(255), "quote'and\"dq.txt", 'semi;colon&amp=.txt'];
    await c.mkdir('/names');
    for (const n of names) await c.writeFile(`/names/${n}`, Buffer.from(n));
    assert.equal((await c.list('/names')).sort(), [...names].sort());
    for (const n of names) assert.is((await c.readFile(`/names/${n}`)).toString(), n);
    await rejects(c.writeFile(`/names/${'b'.repeat(256)}`, Buffer.from('x')), 'ENAMETOOLONG', 'EINVAL');
  });

  only('randomWrite', 'sparse writes, overwrite in the middle, truncate down and up', async (c) => {
    await c.writeFile('/sp', Buffer.from('0123456789'));
    await c.writeAt!('/sp', 3, Buffer.from('abc'));
    assert.is((await c.readFile('/sp')).toString(), '012abc6789');
    await c.writeAt!('/sp', 20, Buffer.from('Z'));
    const got = await c.readFile('/sp');
    assert.is(got.length, 21);
    assert.ok(got.subarray(10, 20).equals(Buffer.alloc(10)));
    await c.truncate!('/sp', 4);
    assert.is((await c.readFile('/sp')).toString(), '012a');
    await c.truncate!('/sp', 6);
    assert.ok((await c.readFile('/sp')).equals(Buffer.from('012a\0\0')));
  });

  only('randomWrite', 'a small write into a large file changes only those bytes', async (c) => {
    const data = noise(3 * 1024 * 1024, 4);
    await c.writeFile('/large', data);
    await c.writeAt!('/large', 1_500_000, Buffer.from('PATCH'));
    Buffer.from('PATCH').copy(data, 1_500_000);
    assert.ok((await c.readFile('/large')).equals(data));
  });

  only('concurrentHandles', 'two files written through interleaved handles', async (c) => {
    const pieces = [0, 1, 2, 3, 4, 5].map((i) => noise(100_000, i + 1));
    await c.interleave!('/ia', '/ib', pieces);
    assert.ok((await c.readFile('/ia')).equals(Buffer.concat(pieces)));
    assert.ok((await c.readFile('/ib')).equals(Buffer.concat([...pieces].reverse())));
  });

  only('symlinks', 'symlinks are kept and read back', async (c) => {
    await c.writeFile('/target', Buffer.from('t'));
    await c.symlink!('target', '/link');
    assert.is(await c.readlink!('/link'), 'target');
    assert.is((await c.stat('/link')).kind, 'symlink');
  });

  only('attributes', 'chmod and mtime', async (c) => {
    await c.writeFile('/m', Buffer.from('m'));
    await c.chmod!('/m', 0o600);
    assert.is((await c.stat('/m')).mode! & 0o777, 0o600);
    await c.utimes!('/m', 1_600_000_000_000);
    assert.is(Math.round((await c.stat('/m')).mtimeMs), 1_600_000_000_000);
  });

  s('snapshots: mkdir /.snapshots/NAME freezes the tree; it is listed and read-only', async ({ c }) => {
    await c.mkdir('/docs');
    await c.writeFile('/docs/v.txt', Buffer.from('version 1'));
    await c.mkdir('/.snapshots/s1');
    await c.writeFile('/docs/v.txt', Buffer.from('version 2'));
    await c.unlink('/docs/v.txt');
    assert.ok((await c.list('/.snapshots')).includes('s1'));
    assert.equal(await c.list('/.snapshots/s1/docs'), ['v.txt']);
    assert.is((await c.readFile('/.snapshots/s1/docs/v.txt')).toString(), 'version 1');
    assert.is((await c.stat('/.snapshots/s1/docs')).kind, 'dir');
    await rejects(c.writeFile('/.snapshots/s1/docs/v.txt', Buffer.from('x')), 'EROFS', 'EACCES', 'EPERM');
    await rejects(c.writeFile('/.snapshots/s1/new.txt', Buffer.from('x')), 'EROFS', 'EACCES', 'EPERM');
    await rejects(c.unlink('/.snapshots/s1/docs/v.txt'), 'EROFS', 'EACCES', 'EPERM');
    await rejects(c.mkdir('/.snapshots/s1/docs/sub'), 'EROFS', 'EACCES', 'EPERM');
    await rejects(c.rename('/.snapshots/s1/docs/v.txt', '/stolen'), 'EROFS', 'EACCES', 'EPERM', 'EXDEV');
    await rejects(c.readFile('/.snapshots/nosuch/x'), 'ENOENT');
  });

  s.run();
}
