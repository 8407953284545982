// The blob cache lends pieces of pooled buffers: a buffer goes back to its pool only once it left the
// cache and every piece of it was released, never when a piece is still held or the blob was given whole.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BlobCache, escape, pinnedPiece, pooled, releasePiece } from '../../core/store/blob-cache.ts';
import { BufferPool } from '../../core/store/buffer-pool.ts';

const KiB = 1024;

/** A blob of `length` bytes of `fill` read into a buffer of `pool`. */
function blobOf(pool: BufferPool, length: number, fill: number) {
  const backing = pool.take(length);
  backing.fill(fill, 0, length);
  return pooled(backing.subarray(0, length), backing, pool);
}

test('a buffer goes back to the pool once evicted and its pieces released, and serves the next read', () => {
  const pool = new BufferPool(1024 * KiB);
  const cache = new BlobCache(256 * KiB); // holds up to 256 KiB: a fifth 64 KiB blob evicts the first
  const first = blobOf(pool, 64 * KiB, 1);
  cache.set('a', first);
  first.pins++;
  const piece = pinnedPiece(first, 10, 20);
  for (const k of ['b', 'c', 'd', 'e']) cache.set(k, blobOf(pool, 64 * KiB, 2));
  assert.is(cache.get('a'), undefined, 'evicted');
  assert.is(pool.stats().freeBytes, 0, 'not back while a piece is held');
  assert.ok(piece.equals(Buffer.alloc(10, 1)));
  releasePiece(piece);
  assert.is(pool.stats().freeBytes, 64 * KiB, 'back once released');
  releasePiece(piece); // a second release changes nothing
  assert.is(pool.stats().freeBytes, 64 * KiB);
  const again = pool.take(60 * KiB);
  assert.is(again.buffer, first.value.buffer, 'the next read reuses it');
  assert.is(pool.stats().reused, 1);
});

test('a blob given whole, a piece never released, or a slice of a piece keep their bytes', () => {
  const pool = new BufferPool(1024 * KiB);
  const cache = new BlobCache(256 * KiB);
  // As the store does: a reader's use is applied before the blob enters the cache.
  const whole = blobOf(pool, 64 * KiB, 3);
  const kept = escape(whole);
  cache.set('whole', whole);
  const held = blobOf(pool, 64 * KiB, 4);
  held.pins += 2;
  cache.set('held', held);
  const piece = pinnedPiece(held, 0, 100);
  const other = pinnedPiece(held, 100, 200);
  releasePiece(piece.subarray(0, 50)); // not a lent piece: no effect
  releasePiece(other);
  for (const k of ['w', 'x', 'y', 'z']) cache.set(k, blobOf(pool, 64 * KiB, 5));
  assert.is(cache.get('whole'), undefined);
  assert.is(cache.get('held'), undefined);
  for (let i = 0; i < 8; i++) pool.take(64 * KiB).fill(9);
  assert.ok(kept.equals(Buffer.alloc(64 * KiB, 3)), 'the whole blob is untouched');
  assert.ok(piece.equals(Buffer.alloc(100, 4)), 'the unreleased piece is untouched');
});

test('the pool keeps at most its byte bound and lends only buffers that fit', () => {
  const pool = new BufferPool(256 * KiB);
  const bufs = [1, 2, 3, 4, 5].map(() => pool.take(64 * KiB));
  bufs.forEach((b) => pool.give(b));
  assert.is(pool.stats().freeBytes, 256 * KiB);
  const big = pool.take(200 * KiB);
  assert.ok(big.length >= 200 * KiB);
  assert.is(pool.stats().reused, 0, 'no 64 KiB buffer serves 200 KiB');
  assert.is(pool.take(64 * KiB).length, 64 * KiB);
  assert.is(pool.stats().reused, 1);
  const roomy = new BufferPool(8192 * KiB);
  roomy.give(Buffer.allocUnsafeSlow(4096 * KiB));
  assert.ok(roomy.take(1024 * KiB).length < 4096 * KiB, 'a buffer four times too large is not lent');
  assert.ok(roomy.take(3072 * KiB).length === 4096 * KiB, 'one a third larger is');
});

test.run();
