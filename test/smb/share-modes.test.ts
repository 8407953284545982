// Share modes and delete-pending across two connections ([MS-FSA] 2.1.5.1.2), driven by impacket.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { run, startSmb } from './harness.ts';

const SCRIPT = fileURLToPath(new URL('./share_modes.py', import.meta.url));
const OK = '0x00000000';
const SHARING_VIOLATION = '0xc0000043';
const DELETE_PENDING = '0xc0000056';
const NOT_FOUND = '0xc0000034';
const ACCESS_DENIED = '0xc0000022';

test('conflicting opens get STATUS_SHARING_VIOLATION; delete waits for the last close', async () => {
  const f = await startSmb();
  try {
    const r = await run('/usr/bin/python3', [SCRIPT, '127.0.0.1', String(f.port), f.user, f.pass, 'share'], { timeoutMs: 60_000 });
    assert.is(r.code, 0, r.out);
    const got = Object.fromEntries(r.out.trim().split('\n').filter((l) => /^\S+ 0x[0-9a-f]{8}$/.test(l)).map((l) => l.split(' ')));
    assert.equal(got, {
      'create-exclusive': OK,
      'read-while-exclusive': SHARING_VIOLATION,
      'attrs-while-exclusive': OK,
      'open-share-read': OK,
      'second-reader': OK,
      'writer-denied': SHARING_VIOLATION,
      'reader-without-share-read': SHARING_VIOLATION,
      'open-no-share-delete': OK,
      'delete-denied': SHARING_VIOLATION,
      'open-share-all': OK,
      'delete-on-close': OK,
      'open-after-delete-pending': DELETE_PENDING,
      'open-after-last-close': NOT_FOUND,
      recreate: OK,
      'disposition-without-delete': ACCESS_DENIED,
      'open-with-delete': OK,
      'set-disposition': OK,
      'open-while-disposition': DELETE_PENDING,
      'gone-after-disposition': NOT_FOUND,
    }, r.out);
  } finally {
    await f.stop();
  }
});

test.run();
