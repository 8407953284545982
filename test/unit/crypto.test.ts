// AEAD sealing, key wrapping, ids and the pack byte layout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AuthError, open, seal } from '../../core/store/aead.ts';
import { keyedHasher, plainHasher } from '../../core/store/hash.ts';
import { newKeys, unwrapKeys, wrapKeys, WrongPasswordError, type KdfParams } from '../../core/store/keys.ts';
import { BlobType, decodeBlobHeader, decodeFooter, decodeTrailer, encodeBlobHeader, encodeTrailer, FOOTER_BYTES } from '../../core/store/pack-format.ts';
import { decodeLocation, encodeLocation } from '../../core/store/location.ts';

const kdf: KdfParams = { algorithm: 'scrypt', N: 1024, r: 8, p: 1, salt: '00'.repeat(32) };

test('seal/open round-trips and refuses a flipped bit, a wrong key or other aad', () => {
  const key = Buffer.alloc(32, 1);
  const sealed = seal(key, Buffer.from('secret'), Buffer.from('aad'));
  assert.is(open(key, sealed, Buffer.from('aad'), 'x').toString(), 'secret');
  const flipped = Buffer.from(sealed);
  flipped[14] = flipped[14]! ^ 1;
  assert.throws(() => open(key, flipped, Buffer.from('aad'), 'x'), (e: unknown) => e instanceof AuthError);
  assert.throws(() => open(Buffer.alloc(32, 2), sealed, Buffer.from('aad'), 'x'), (e: unknown) => e instanceof AuthError);
  assert.throws(() => open(key, sealed, Buffer.from('other'), 'x'), (e: unknown) => e instanceof AuthError);
});

test('keys unwrap with the right password only', () => {
  const keys = newKeys();
  const wrapped = wrapKeys(keys, 'correct horse', kdf, 'archive1');
  const back = unwrapKeys(wrapped, 'correct horse', kdf, 'archive1');
  assert.ok(back.dataKey.equals(keys.dataKey) && back.idKey.equals(keys.idKey) && back.chunkerSeed.equals(keys.chunkerSeed));
  assert.throws(() => unwrapKeys(wrapped, 'wrong', kdf, 'archive1'), (e: unknown) => e instanceof WrongPasswordError);
  assert.throws(() => unwrapKeys(wrapped, 'correct horse', kdf, 'archive2'), (e: unknown) => e instanceof WrongPasswordError);
});

test('ids: plain BLAKE3 matches the published empty-input vector; keyed ids differ per key', () => {
  assert.is(plainHasher().id(Buffer.alloc(0)).toString('hex'), 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
  const a = keyedHasher(Buffer.alloc(32, 1)).id(Buffer.from('x'));
  const b = keyedHasher(Buffer.alloc(32, 2)).id(Buffer.from('x'));
  assert.not.ok(a.equals(b));
});

test('blob headers, trailers and locations round-trip; a damaged trailer is refused', () => {
  const e = { type: BlobType.Tree, compression: 1, rawLength: 1000, storedLength: 400, offset: 16, id: Buffer.alloc(32, 9) };
  assert.equal(decodeBlobHeader(encodeBlobHeader(e)), e);
  const t = encodeTrailer([e, { ...e, offset: 464, id: Buffer.alloc(32, 8) }]);
  const footer = decodeFooter(t.subarray(t.length - FOOTER_BYTES))!;
  const body = t.subarray(0, footer.trailerLength);
  assert.is(decodeTrailer(body, footer.checksum)!.length, 2);
  const bad = Buffer.from(body);
  bad[10] = bad[10]! ^ 0xff;
  assert.is(decodeTrailer(bad, footer.checksum), null);
  const loc = { packId: 'ab'.repeat(16), offset: 123, storedLength: 456, rawLength: 789, type: BlobType.Data, compression: 0 };
  assert.equal(decodeLocation(encodeLocation(loc)), loc);
});

test.run();
