// Holes: extending a file by gigabytes costs no chunking of the zeros; holes read back as zeros.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { archiveStats } from '../../core/maintenance/stats.ts';
import { withVfs } from '../helpers/archive.ts';

test('a 64 GiB hole commits fast, stores one zero chunk, and reads back as zeros around real data', () =>
  withVfs(async (vfs, archive) => {
    const f = await vfs.open('/sparse', { write: true, create: true });
    await f.write(0, Buffer.from('head'));
    const far = 64 * 2 ** 30;
    await f.write(far, Buffer.from('tail'));
    const started = Date.now();
    await f.close();
    assert.ok(Date.now() - started < 5000, `flushing a 64 GiB hole took ${Date.now() - started} ms`);
    assert.is((await vfs.stat('/sparse')).size, far + 4);
    const stats = await archiveStats(archive);
    assert.ok(stats.storedBytes < 1024 * 1024, `stored ${stats.storedBytes} bytes`);
    const g = await vfs.open('/sparse');
    assert.is((await g.read(0, 8)).toString(), 'head\0\0\0\0');
    assert.ok((await g.read(2 ** 33, 4096)).equals(Buffer.alloc(4096)));
    assert.is((await g.read(far - 2, 6)).toString(), '\0\0tail');
    await g.close();
    await vfs.setattr('/sparse', { size: 2 * far });
    assert.is((await vfs.stat('/sparse')).size, 2 * far);
  }, { chunkSizeAvg: 1024 * 1024 }));

test.run();
