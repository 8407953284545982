// A seeded random-operation exerciser (in the spirit of fsx): writes, truncates and reads at random
// offsets on a few files, applied both through the mount and to a local temp copy; any difference fails.
import { mkdirSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { noise } from '../helpers/tree.ts';
import { withMount } from './mount-process.ts';

const SEED = 20261124;
const OPS = 1500;
const FILES = 3;
const MAX_SIZE = 1536 * 1024;

/** xorshift32: the same sequence on every run. */
function prng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

/** One file under test: a handle in the mount and one on the local disk. */
interface Pair {
  name: string;
  mounted: FileHandle;
  local: FileHandle;
}

const test = suite('fuse: random-operation exerciser');

test(`${OPS} seeded random writes, truncates and reads match a local copy`, async () => {
  await withMount(async ({ dir, mnt }) => {
    const localDir = join(dir, 'local');
    mkdirSync(localDir);
    const rnd = prng(SEED);
    const openPair = async (name: string): Promise<Pair> => ({ name, mounted: await open(join(mnt, name), 'a+').then((h) => h.close()).then(() => open(join(mnt, name), 'r+')), local: await open(join(localDir, name), 'a+').then((h) => h.close()).then(() => open(join(localDir, name), 'r+')) });
    const pairs: Pair[] = [];
    for (let i = 0; i < FILES; i++) pairs.push(await openPair(`f${i}`));
    const log: string[] = [];
    try {
      for (let op = 0; op < OPS; op++) {
        const p = pairs[rnd(FILES)]!;
        const kind = rnd(100);
        if (kind < 45) {
          const offset = rnd(MAX_SIZE);
          const len = 1 + rnd(kind < 10 ? 300 * 1024 : 8 * 1024);
          const data = noise(len, op + 1);
          log.push(`${op} write ${p.name} @${offset} +${len}`);
          await p.mounted.write(data, 0, len, offset);
          await p.local.write(data, 0, len, offset);
        } else if (kind < 60) {
          const size = rnd(MAX_SIZE);
          log.push(`${op} truncate ${p.name} ${size}`);
          await p.mounted.truncate(size);
          await p.local.truncate(size);
        } else if (kind < 92) {
          const offset = rnd(MAX_SIZE);
          const len = 1 + rnd(256 * 1024);
          log.push(`${op} read ${p.name} @${offset} +${len}`);
          const a = Buffer.alloc(len);
          const b = Buffer.alloc(len);
          const ra = await p.mounted.read(a, 0, len, offset);
          const rb = await p.local.read(b, 0, len, offset);
          assert.is(ra.bytesRead, rb.bytesRead, `short read differs: ${log.slice(-5).join('; ')}`);
          assert.ok(a.subarray(0, ra.bytesRead).equals(b.subarray(0, rb.bytesRead)), `read differs: ${log.slice(-5).join('; ')}`);
        } else if (kind < 96) {
          log.push(`${op} fsync ${p.name}`);
          await p.mounted.sync();
          assert.is((await p.mounted.stat()).size, (await p.local.stat()).size, `size differs: ${log.slice(-5).join('; ')}`);
        } else {
          log.push(`${op} reopen ${p.name}`);
          await Promise.all([p.mounted.close(), p.local.close()]);
          pairs[pairs.indexOf(p)] = await openPair(p.name);
        }
      }
    } finally {
      await Promise.all(pairs.flatMap((p) => [p.mounted.close(), p.local.close()]));
    }
    for (let i = 0; i < FILES; i++) {
      const [a, b] = await Promise.all([readFile(join(mnt, `f${i}`)), readFile(join(localDir, `f${i}`))]);
      assert.is(a.length, b.length, `f${i} final size`);
      assert.ok(a.equals(b), `f${i} final content`);
    }
  });
});

test.run();
