// @marsaud/smb2 (the client of the design card): SMB 2.0.2/2.1, NTLMv1, unsigned; run in a child process with
// `node --openssl-legacy-provider` (it needs MD4 and DES), against a server that allows NTLMv1 and no signing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { run, startSmb } from './harness.ts';

const CHILD = fileURLToPath(new URL('./marsaud-child.ts', import.meta.url));

test('write, list, read back, rename and unlink through @marsaud/smb2', async () => {
  const f = await startSmb({ allowNtlmV1: true, signingRequired: false });
  try {
    const r = await run(process.execPath, ['--openssl-legacy-provider', '--import', 'tsx', CHILD, String(f.port), f.user, f.pass], { timeoutMs: 60_000 });
    assert.is(r.code, 0, r.out);
    const line = r.out.split('\n').find((l) => l.startsWith('{'));
    assert.ok(line, r.out);
    assert.equal(JSON.parse(line!), { listed: ['a.txt'], same: true, afterRename: ['b.txt'], existsAfterUnlink: false });
  } finally {
    await f.stop();
  }
});

test.run();
