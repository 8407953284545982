// MD4 against RFC 1320's test suite, and the NT hash of [MS-NLMP] §4.2.1's "Password".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { md4, ntHash } from '../../core/auth/md4.ts';

test('RFC 1320 vectors', () => {
  const v: Array<[string, string]> = [
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', 'e33b4ddc9c38f2199c3e7b164fcc0536'],
  ];
  for (const [input, hex] of v) assert.is(md4(Buffer.from(input)).toString('hex'), hex, input);
});

test('NT hash of "Password" ([MS-NLMP] 4.2.1)', () => {
  assert.is(ntHash('Password').toString('hex'), 'a4f49c406510bdcab6824ee7c30fd852');
});

test.run();
