// Reads lend pieces of the store's pooled buffers: pieces given back with releaseParts serve later
// reads, and what a reader still holds (or got whole) keeps its bytes however much is read after it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { releaseParts } from '../../core/files/content.ts';
import { withVfs } from '../helpers/archive.ts';
import { noise } from '../helpers/tree.ts';

const MiB = 1024 * 1024;

test('a sequential read past the cache reuses released buffers; held pieces and whole reads keep their bytes', () =>
  withVfs(
    async (vfs, archive) => {
      const data = noise(100 * MiB, 5); // beyond the store's 64 MiB cache
      await vfs.writeFile('/big', data);
      const f = await vfs.open('/big');
      try {
        const held = await f.readParts(0, 3 * MiB);
        const whole = await f.read(5 * MiB, 2 * MiB);
        for (let pass = 0; pass < 2; pass++) {
          for (let off = 0; off < data.length; off += MiB) {
            const parts = await f.readParts(off, MiB);
            assert.ok(Buffer.concat(parts).equals(data.subarray(off, off + MiB)), `bytes at ${off}, pass ${pass}`);
            releaseParts(parts);
          }
        }
        assert.ok(archive.store.poolStats().reused > 50, 'released buffers served later reads');
        assert.ok(Buffer.concat(held).equals(data.subarray(0, 3 * MiB)), 'pieces never released are intact');
        assert.ok(whole.equals(data.subarray(5 * MiB, 7 * MiB)), 'a whole read is intact');
      } finally {
        await f.close();
      }
    },
    { chunkSizeAvg: MiB },
  ));

test.run();
