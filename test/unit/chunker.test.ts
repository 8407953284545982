// FastCDC: boundaries are stable (pinned), independent of how the stream is cut, and resynchronise after an edit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Chunker, defaultChunkerParams, gearTable } from '../../core/store/chunker.ts';
import { GEAR_WINDOW, gearScan } from '../../core/store/gear-scan.ts';
import { noise } from '../helpers/tree.ts';
import { compileWat } from '../helpers/wat.ts';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const params = defaultChunkerParams(64 * 1024);
const gear = gearTable(Buffer.alloc(32, 0x5a));

function chunkAll(data: Buffer, piece: number): Buffer[] {
  const c = new Chunker(params, gear);
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += piece) out.push(...c.push(data.subarray(at, at + piece)));
  out.push(...c.finish());
  return out;
}

test('boundaries are pinned for seeded data (a change here is a format change)', () => {
  const sizes = chunkAll(noise(4 * 1024 * 1024, 42), 1 << 20).map((c) => c.length);
  assert.is(sizes.length, 56);
  assert.is(sizes.reduce((a, b) => a + b, 0), 4 * 1024 * 1024);
  assert.is(Math.min(...sizes.slice(0, -1)) >= params.min, true);
  assert.is(Math.max(...sizes) <= params.max, true);
  assert.equal(sizes.slice(0, 4), [149592, 71532, 101629, 31016]);
});

test('chunks do not depend on how the input is split', () => {
  const data = noise(2 * 1024 * 1024 + 333, 9);
  const ref = chunkAll(data, data.length).map((c) => c.length);
  for (const piece of [1, 7, 4096, 65537, 300_000]) {
    assert.equal(chunkAll(data, piece).map((c) => c.length), ref, `piece ${piece}`);
  }
  assert.ok(Buffer.concat(chunkAll(data, 999)).equals(data));
});

test('fill (reading straight into the chunker, chunks as views) cuts exactly where push does', () => {
  const data = noise(2 * 1024 * 1024 + 333, 9);
  const ref = chunkAll(data, 65536);
  for (const piece of [4096, 100_000, 1 << 20]) {
    const c = new Chunker(params, gear, true);
    const out: Buffer[] = [];
    let at = 0;
    for (;;) {
      const { n, chunks } = c.fill((target, offset, length) => {
        const k = Math.min(length, data.length - at);
        data.copy(target, offset, at, at + k);
        at += k;
        return k;
      }, piece);
      out.push(...chunks.map((v) => Buffer.from(v))); // views last until the next fill: keep copies
      if (n === 0) break;
    }
    out.push(...c.finish().map((v) => Buffer.from(v)));
    assert.equal(out.map((b) => b.length), ref.map((b) => b.length), `piece ${piece}`);
    assert.ok(out.every((b, i) => b.equals(ref[i]!)), `piece ${piece}: same bytes`);
  }
});

test('an edit in the middle changes only nearby chunks', () => {
  const data = noise(4 * 1024 * 1024, 3);
  const edited = Buffer.from(data);
  edited.fill(0xee, 2_000_000, 2_000_100);
  const key = (b: Buffer) => b.toString('base64', 0, 24) + b.length;
  const a = new Set(chunkAll(data, 65536).map(key));
  const changed = chunkAll(edited, 65536).filter((c) => !a.has(key(c)));
  assert.ok(changed.length <= 2, `changed ${changed.length}`);
});

test('a different seed gives different boundaries', () => {
  const data = noise(1024 * 1024, 5);
  const other = new Chunker(params, gearTable(Buffer.alloc(32, 1)));
  const sizesOther = [...other.push(data), ...other.finish()].map((c) => c.length);
  assert.not.equal(sizesOther, chunkAll(data, data.length).map((c) => c.length));
});

test('empty input gives no chunks; tiny input one', () => {
  assert.equal(chunkAll(Buffer.alloc(0), 1), []);
  assert.equal(chunkAll(Buffer.from('abc'), 1).map((c) => c.toString()), ['abc']);
});

test('bad parameters are refused clearly', () => {
  assert.throws(() => new Chunker({ min: 10, avg: 1000, max: 4000 }, gear), /power of two/);
  assert.throws(() => new Chunker({ min: 8192, avg: 4096, max: 16384 }, gear), /min < avg < max/);
});



test('the WebAssembly gear scan finds the same cut as a plain scan, and is built from its .wat', async () => {
  const data = noise(300_000, 3);
  const reference = (at: number, n: number, normal: number, maskS: number, maskL: number): number => {
    let h = 0;
    for (let p = at - GEAR_WINDOW; p < at + n; p++) {
      h = ((h << 1) + gear[data[p]!]!) | 0;
      if (p >= at && (h & (p < normal ? maskS : maskL)) === 0) return p;
    }
    return -1;
  };
  for (const [at, n, normal, maskS, maskL] of [
    [32, 299_000, 100_000, topMask(18), topMask(14)],
    [5000, 200_000, 0, topMask(18), topMask(12)],
    [777, 100_000, 900_000, topMask(10), topMask(6)],
    [64, 250_000, 150_000, -1, -1],
  ] as const) {
    assert.is(gearScan(gear, data, at, n, normal, maskS, maskL), reference(at, n, normal, maskS, maskL));
  }
  const wasm = new URL('../../core/store/gear-scan.wasm', import.meta.url);
  assert.ok((await compileWat(fileURLToPath(new URL('../../core/store/gear-scan.wat', import.meta.url)))).equals(readFileSync(wasm)), 'gear-scan.wasm is stale: node --import tsx test/helpers/wat.ts core/store/gear-scan.wat');
});

function topMask(bits: number): number {
  return (0xffffffff << (32 - bits)) | 0;
}

test.run();
