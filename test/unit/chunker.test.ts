// FastCDC: boundaries are stable (pinned), independent of how the stream is cut, and resynchronise after an edit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Chunker, defaultChunkerParams, gearTable } from '../../core/store/chunker.ts';
import { noise } from '../helpers/tree.ts';

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

test.run();
