// Dedup across imports and edits; damage is found, named and never served; repair rebuilds the index from packs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { strata, strataOk } from '../helpers/cli.ts';
import { withTmp } from '../helpers/tmp.ts';
import { describeTree, makeFixtureTree, noise } from '../helpers/tree.ts';

const stored = (ar: string) => (JSON.parse(strataOk(['stats', ar, '--json']).stdout) as { storedBytes: number }).storedBytes;

test('importing the same tree again elsewhere grows the store by < 1%', () =>
  withTmp(async (dir) => {
    const src = join(dir, 'src');
    const ar = join(dir, 'ar');
    makeFixtureTree(src);
    writeFileSync(join(src, 'large.bin'), noise(8 * 1024 * 1024, 11));
    strataOk(['init', ar]);
    strataOk(['import', ar, src, '--to', '/a']);
    const first = stored(ar);
    strataOk(['import', ar, src, '--to', '/b']);
    const growth = stored(ar) - first;
    assert.ok(growth < first * 0.01, `grew ${growth} of ${first}`);
  }));

test('copies of one file in a single import are stored once, whichever worker meets them (plain and encrypted)', () =>
  withTmp(async (dir) => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'x', 'y'), { recursive: true });
    const big = noise(6 * 1024 * 1024, 21);
    for (const p of ['a.bin', 'b.bin', 'x/c.bin', 'x/y/d.bin']) writeFileSync(join(src, p), big);
    for (const enc of [[], ['--encrypt']]) {
      const ar = join(dir, `ar${enc.length}`);
      const pw = { password: 'pw' };
      strataOk(['init', ar, ...enc], pw);
      strataOk(['import', ar, src, '--to', '/v'], pw);
      const bytes = (JSON.parse(strataOk(['stats', ar, '--json'], pw).stdout) as { storedBytes: number }).storedBytes;
      assert.ok(bytes > big.length && bytes < big.length * 1.05, `${enc.join('') || 'plain'}: stored ${bytes} for four copies of ${big.length}`);
      assert.is(strata(['verify', ar, '--read-data'], pw).status, 0);
      strataOk(['export', ar, '/v/x/y/d.bin', join(dir, `out${enc.length}`)], pw);
      assert.ok(readFileSync(join(dir, `out${enc.length}`, 'd.bin')).equals(big));
    }
  }));

test('a 1% edit to a large file grows the store by about the changed chunks', () =>
  withTmp(async (dir) => {
    const src = join(dir, 'src');
    const ar = join(dir, 'ar');
    mkdirSync(src);
    const big = noise(32 * 1024 * 1024, 5);
    writeFileSync(join(src, 'big.bin'), big);
    strataOk(['init', ar, '--chunk-size-avg', String(256 * 1024)]);
    strataOk(['import', ar, src, '--to', '/v1']);
    const first = stored(ar);
    noise(320 * 1024, 99).copy(big, 16 * 1024 * 1024);
    writeFileSync(join(src, 'big.bin'), big);
    strataOk(['import', ar, src, '--to', '/v2']);
    const growth = stored(ar) - first;
    // 320 KiB changed (1% of 32 MiB): only the chunks around it are new. The chunk before the edit
    // (at most 1 MiB: max chunk = 4 × the 256 KiB average) and the chunks after it until the cuts meet
    // the old ones again (each new cut skips `min` bytes, so that can take a few chunks) are stored
    // again: well under a tenth of the file, where a whole-file copy would add 32 MiB.
    assert.ok(growth > 300 * 1024 && growth < 320 * 1024 + 4 * 1024 * 1024, `grew ${growth}`);
    const s = JSON.parse(strataOk(['stats', ar, '--json']).stdout) as { dedupRatio: number };
    assert.ok(s.dedupRatio > 1.8);
  }));

test('a flipped byte is found and named; export fails instead of returning wrong bytes; repair rebuilds a lost index', () =>
  withTmp(async (dir) => {
    const src = join(dir, 'src');
    const ar = join(dir, 'ar');
    makeFixtureTree(src);
    strataOk(['init', ar]);
    strataOk(['import', ar, src, '--to', '/data']);
    assert.is(strata(['verify', ar, '--read-data']).status, 0);

    // Find the pack holding the big file's chunks (the largest) and flip one byte in its middle.
    const packs: string[] = [];
    for (const sub of readdirSync(join(ar, 'packs'))) for (const f of readdirSync(join(ar, 'packs', sub))) packs.push(join(ar, 'packs', sub, f));
    const pack = packs.sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
    const bytes = readFileSync(pack);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(pack, bytes);

    const v = strata(['verify', ar, '--read-data']);
    assert.is(v.status, 1);
    assert.match(v.stdout, /error: [0-9a-f]{64}: .*content hash mismatch|error: [0-9a-f]{64}: .*does not decompress/);
    assert.match(v.stdout, /used by \/data\/docs\/deep\/er\/big\.bin/);
    assert.match(v.stdout, /used by \/\.snapshots\/[^/]+\/data\/docs\/deep\/er\/big\.bin/);

    const ex = strata(['export', ar, '/data/docs/deep/er/big.bin', join(dir, 'out')]);
    assert.is(ex.status, 1);
    assert.match(ex.stderr, /EIO: object [0-9a-f]{64} is damaged/);
    const cat = strata(['cat', ar, '/data/docs/deep/er/big.bin']);
    assert.is(cat.status, 1);
    const good = readFileSync(join(src, 'docs/deep/er/big.bin'));
    assert.ok(cat.stdoutBytes.length < good.length, 'no full file may be served');

    // Restore the byte; lose the whole metadata store; repair from the packs alone.
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(pack, bytes);
    rmSync(join(ar, 'meta'), { recursive: true });
    assert.is(strata(['ls', ar]).status, 1);
    const r = strataOk(['repair', ar]);
    assert.match(r.stdout, /live tree restored from snapshot/);
    assert.is(strata(['verify', ar, '--read-data']).status, 0);
    strataOk(['export', ar, '/data', join(dir, 'out2')]);
    assert.equal(describeTree(join(dir, 'out2')), describeTree(src));
    assert.is(JSON.parse(strataOk(['snapshots', ar, '--json']).stdout).length, 1);
  }));

test('repair of a missing blob index alone keeps the live tree', () =>
  withTmp(async (dir) => {
    const src = join(dir, 'src');
    const ar = join(dir, 'ar');
    makeFixtureTree(src);
    strataOk(['init', ar, '--encrypt'], { password: 'x' });
    strataOk(['import', ar, src, '--no-snapshot'], { password: 'x' });
    strataOk(['repair', ar], { password: 'x' });
    strataOk(['export', ar, '/', join(dir, 'out')], { password: 'x' });
    assert.equal(describeTree(join(dir, 'out')), describeTree(src));
    assert.is(strata(['verify', ar, '--read-data'], { password: 'x' }).status, 0);
  }));

test.run();
