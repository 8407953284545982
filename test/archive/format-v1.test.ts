// Compatibility: the committed format-v1 archives open, verify and export byte-identical, index or not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strataOk } from '../helpers/cli.ts';
import { withTmp } from '../helpers/tmp.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/archives/v1/', import.meta.url));
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as { password: string; snapshot: string; files: Record<string, string> };

for (const kind of ['plain', 'encrypted']) {
  test(`format v1 ${kind} archive opens, verifies and exports the same bytes`, () =>
    withTmp(async (dir) => {
      const ar = join(dir, 'ar');
      cpSync(join(FIXTURES, kind), ar, { recursive: true });
      const pw = { password: expected.password };
      strataOk(['verify', ar, '--read-data'], pw);
      const check = (out: string) => {
        for (const [name, sha] of Object.entries(expected.files)) {
          assert.is(createHash('sha256').update(readFileSync(join(out, name))).digest('hex'), sha, name);
        }
      };
      strataOk(['export', ar, '/', join(dir, 'live')], pw);
      check(join(dir, 'live'));
      strataOk(['export', ar, '/', join(dir, 'snap'), '--snapshot', expected.snapshot], pw);
      check(join(dir, 'snap'));
      rmSync(join(ar, 'meta'), { recursive: true });
      strataOk(['repair', ar], pw);
      strataOk(['export', ar, '/', join(dir, 'repaired')], pw);
      check(join(dir, 'repaired'));
    }));
}

test.run();
