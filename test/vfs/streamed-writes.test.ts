// Sequential writes into an empty file are chunked as they arrive (no staging), in the chunking
// worker once they outgrow the minimum chunk: same chunks as any other path, and a read, seek or
// truncate in the middle of such a write falls back to staging without losing a byte.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isVfsError } from '../../core/errors.ts';
import { archiveStats } from '../../core/maintenance/stats.ts';
import type { ArchiveVfs } from '../../core/vfs/vfs.ts';
import { withVfs } from '../helpers/archive.ts';
import { noise } from '../helpers/tree.ts';

async function readAll(vfs: ArchiveVfs, path: string): Promise<Buffer> {
  const f = await vfs.open(path);
  try {
    return await f.read(0, (await f.stat()).size + 1);
  } finally {
    await f.close();
  }
}

/** Writes `data` through a handle in `piece`-byte writes, in order from offset 0. */
async function writeSequentially(vfs: ArchiveVfs, path: string, data: Buffer, piece: number): Promise<void> {
  const f = await vfs.open(path, { write: true, create: true, truncate: true });
  for (let off = 0; off < data.length; off += piece) await f.write(off, data.subarray(off, off + piece));
  await f.close();
}

test('a sequential write through a handle cuts the same chunks as writeFile, and stages nothing', () =>
  withVfs(async (vfs, archive, dir) => {
    const data = noise(3 * 1024 * 1024 + 12345, 7);
    const f = await vfs.open('/seq', { write: true, create: true });
    for (let off = 0; off < data.length; off += 100_000) await f.write(off, data.subarray(off, off + 100_000));
    assert.equal(readdirSync(join(dir, 'ar', 'staging')), [], 'no staging file while writing sequentially');
    await f.close();
    assert.ok((await readAll(vfs, '/seq')).equals(data));
    const before = (await archiveStats(archive)).storedBytes;
    await vfs.writeFile('/again', data);
    assert.is((await archiveStats(archive)).storedBytes, before, 'writeFile of the same bytes found every chunk stored');
    await writeSequentially(vfs, '/small-pieces', data, 4096);
    assert.is((await archiveStats(archive)).storedBytes, before, '4 KiB writes cut the same chunks');
  }));

test('a read, a seek back and a truncate in the middle of a sequential write keep every byte', () =>
  withVfs(async (vfs) => {
    const model = Buffer.alloc(2 * 1024 * 1024);
    const data = noise(model.length, 11);
    const f = await vfs.open('/mixed', { write: true, create: true });
    let size = 0;
    const write = async (off: number, bytes: Buffer) => {
      await f.write(off, bytes);
      bytes.copy(model, off);
      size = Math.max(size, off + bytes.length);
    };
    await write(0, data.subarray(0, 700_000));
    assert.ok((await f.read(123_456, 1000)).equals(model.subarray(123_456, 124_456)), 'read while streaming');
    await write(700_000, data.subarray(700_000, 1_500_000));
    await write(10, Buffer.from('seek back'));
    await write(1_500_000, data.subarray(1_500_000, 1_600_000));
    await f.truncate(1_200_000);
    size = 1_200_000;
    model.fill(0, size);
    await write(1_200_000, data.subarray(0, 300_000));
    assert.ok((await f.read(0, size)).equals(model.subarray(0, size)), 'read before close');
    await f.close();
    assert.ok((await readAll(vfs, '/mixed')).equals(model.subarray(0, size)), 'read after close');
  }));

test('a file emptied by truncate and rewritten sequentially; fsync in the middle; encrypted archive', () =>
  withVfs(async (vfs) => {
    await vfs.writeFile('/t', noise(900_000, 1));
    const data = noise(1_800_000, 2);
    const f = await vfs.open('/t', { write: true, truncate: true });
    await f.write(0, data.subarray(0, 1_000_000));
    await f.fsync();
    assert.ok((await readAll(vfs, '/t')).equals(data.subarray(0, 1_000_000)), 'what fsync committed is visible');
    await f.write(1_000_000, data.subarray(1_000_000));
    await f.close();
    assert.ok((await readAll(vfs, '/t')).equals(data));
  }, { encrypt: true }));

test('the chunking worker dying fails the write in progress with EIO; the next write starts a new worker', () =>
  withVfs(async (vfs, archive) => {
    const data = noise(3 * 1024 * 1024, 5);
    const f = await vfs.open('/dies', { write: true, create: true });
    await f.write(0, data.subarray(0, 1024 * 1024));
    // Failure injection: end the worker thread behind the archive's back.
    await (archive as unknown as { streamWorker: { worker: { terminate(): Promise<number> } } }).streamWorker.worker.terminate();
    let code = '';
    try {
      await f.write(1024 * 1024, data.subarray(1024 * 1024));
      await f.close();
    } catch (err) {
      code = isVfsError(err) ? err.code : String(err);
    }
    assert.is(code, 'EIO');
    await f.close().catch(() => undefined);
    await vfs.writeFile('/after', data);
    assert.ok((await readAll(vfs, '/after')).equals(data));
  }));

test.run();
