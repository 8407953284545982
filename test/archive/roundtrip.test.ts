// import → export through the real CLI: byte-identical trees with modes and mtimes, plain and encrypted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strata, strataOk } from '../helpers/cli.ts';
import { withTmp } from '../helpers/tmp.ts';
import { describeTree, makeFixtureTree } from '../helpers/tree.ts';

function packFiles(archive: string): string[] {
  const out: string[] = [];
  for (const sub of readdirSync(join(archive, 'packs'))) for (const f of readdirSync(join(archive, 'packs', sub))) out.push(join(archive, 'packs', sub, f));
  return out;
}

for (const encrypted of [false, true]) {
  const pw = encrypted ? { password: 'pässwörd' } : {};
  test(`round trip of every file kind (${encrypted ? 'encrypted' : 'plain'})`, () =>
    withTmp(async (dir) => {
      const src = join(dir, 'src');
      const ar = join(dir, 'ar');
      makeFixtureTree(src);
      strataOk(['init', ar, ...(encrypted ? ['--encrypt'] : [])], pw);
      strataOk(['import', ar, src, '--to', '/backup/one'], pw);
      strataOk(['export', ar, '/backup/one', join(dir, 'out')], pw);
      assert.equal(describeTree(join(dir, 'out')), describeTree(src));
      const cat = strataOk(['cat', ar, '/backup/one/docs/deep/er/big.bin'], pw);
      assert.ok(cat.stdoutBytes.equals(readFileSync(join(src, 'docs/deep/er/big.bin'))));
      const ls = JSON.parse(strataOk(['ls', ar, '/backup/one', '--json'], pw).stdout) as Array<{ name: string; kind: string }>;
      assert.equal(ls.map((e) => `${e.name}:${e.kind}`).sort(), ['docs:dir', 'empty-dir:dir', 'empty:file', 'hello.txt:file', 'link-to-hello:symlink', 'run.sh:file']);
      assert.ok(strataOk(['verify', ar, '--read-data'], pw).stdout.includes('no errors were found'));
    }));
}

test('encrypted packs hold no plaintext; config keeps no chunker seed', () =>
  withTmp(async (dir) => {
    const src = join(dir, 'src');
    const ar = join(dir, 'ar');
    makeFixtureTree(src);
    const marker = 'PLAINTEXT-MARKER-7f3a9c';
    writeFileSync(join(src, `${marker}.txt`), `${marker}\n`.repeat(1000));
    strataOk(['init', ar, '--encrypt'], { password: 'pw' });
    strataOk(['import', ar, src], { password: 'pw' });
    for (const f of packFiles(ar)) {
      const bytes = readFileSync(f);
      assert.is(bytes.indexOf(marker), -1, `marker found in ${f}`);
      assert.is(bytes.indexOf('hello, strata'), -1);
      assert.is(bytes.indexOf('docs'), -1, 'directory names must not appear in clear');
    }
    const cfg = JSON.parse(readFileSync(join(ar, 'config.json'), 'utf8'));
    assert.is(cfg.chunker.seed, undefined);
    assert.is(cfg.encryption.cipher, 'aes-256-gcm');
  }));

test('wrong or missing password: clear error, exit 1, nothing touched', () =>
  withTmp(async (dir) => {
    const ar = join(dir, 'ar');
    strataOk(['init', ar, '--encrypt'], { password: 'right' });
    const before = statSync(join(ar, 'config.json')).mtimeMs;
    const wrong = strata(['ls', ar], { password: 'wrong' });
    assert.is(wrong.status, 1);
    assert.match(wrong.stderr, /wrong password/);
    const missing = strata(['ls', ar]);
    assert.is(missing.status, 1);
    assert.match(missing.stderr, /STRATA_PASSWORD/);
    writeFileSync(join(dir, 'pwfile'), 'right\n');
    assert.is(strata(['ls', ar, '--password-file', join(dir, 'pwfile')]).status, 0);
    assert.is(statSync(join(ar, 'config.json')).mtimeMs, before);
  }));

test('opening something that is not an archive is a clear error', () =>
  withTmp(async (dir) => {
    const r = strata(['ls', dir]);
    assert.is(r.status, 1);
    assert.match(r.stderr, /not a strata archive/);
    const again = strata(['init', dir]);
    assert.is(again.status, 0);
    assert.is(strata(['init', dir]).status, 1);
  }));

test.run();
