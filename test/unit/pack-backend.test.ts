// Pack files written with O_DIRECT (the default on ext4) and through the page cache read back the same,
// at every moment: bytes still staged in memory, after a truncate, across sync, seal and reopen.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalPackBackend } from '../../core/store/backend.ts';
import { alignedBuffer, directSpan } from '../../core/store/direct-io.ts';

/** A deterministic byte source: lengths that cross block and stage boundaries, and small ones. */
function pieces(seed: number): Buffer[] {
  let x = seed;
  const next = () => ((x = (x * 1103515245 + 12345) >>> 0) % 1000) / 1000;
  const out: Buffer[] = [];
  for (let i = 0; i < 60; i++) {
    const big = next() < 0.3;
    out.push(randomBytes(big ? Math.floor(next() * 3 * 1024 * 1024) : Math.floor(next() * 9000) + 1));
  }
  return out;
}

async function exercise(directIo: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-packs-'));
  const backend = new LocalPackBackend(dir, false, directIo);
  try {
    const id = 'ab'.repeat(16);
    let sink = await backend.create(id);
    let expected = Buffer.alloc(0);
    const check = async () => {
      // whole, and a few ranges that end in the staged tail or straddle it
      assert.ok((await backend.read(id, 0, expected.length + 100)).equals(expected), 'whole pack');
      for (const [from, len] of [[expected.length - 5000, 4000], [expected.length - 300000, 300000], [Math.floor(expected.length / 3), 200000]]) {
        const f = Math.max(0, from!);
        const want = expected.subarray(f, f + len!);
        assert.ok((await backend.read(id, f, len!)).equals(want), `range ${f}+${len}`);
        // into a pooled (page-aligned) buffer, which a direct read fills in place
        assert.ok((await backend.read(id, f, len!, alignedBuffer(directSpan(f, len!)))).equals(want), `range ${f}+${len} in place`);
      }
    };
    for (const [i, p] of pieces(directIo ? 7 : 8).entries()) {
      await sink.append(p.subarray(0, 10), p.subarray(10));
      expected = Buffer.concat([expected, p]);
      if (i % 7 === 3) await check();
      if (i % 11 === 5) {
        const cut = expected.length - Math.min(p.length, 1234);
        await sink.truncate(cut);
        expected = expected.subarray(0, cut);
        await check();
      }
      if (i % 13 === 6) {
        await sink.sync();
        assert.ok(readFileSync(join(dir, 'ab', id)).equals(expected), 'the file holds every byte after sync');
      }
      if (i === 30) {
        await sink.close();
        sink = await backend.reopen(id, expected.length - 100);
        expected = expected.subarray(0, expected.length - 100);
        await check();
      }
    }
    await sink.sealed();
    await check();
    await sink.sync();
    await sink.close();
    assert.ok(readFileSync(join(dir, 'ab', id)).equals(expected), 'the file holds every byte after close');
    await check();
  } finally {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('packs written with O_DIRECT read back exactly, staged tail included', () => exercise(true));
test('packs written through the page cache read back exactly', () => exercise(false));

test.run();
