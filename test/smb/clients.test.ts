// Other real clients and server options: rclone's smb backend (go-smb2), NTLMv1 behind allowNtlmV1,
// encryptData (clients must encrypt; SMB 2.x is refused), lockout after repeated failures.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { noise } from '../helpers/tree.ts';
import { run, smbclient, startSmb } from './harness.ts';

const s = suite('smb: other clients and options');
const NTLM_V1 = ['--option=client ntlmv2 auth=no'];

async function withWork<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-smbw-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

s('rclone smb backend: copy a tree, check it byte for byte', async () => {
  const f = await startSmb();
  try {
    await withWork(async (dir) => {
      mkdirSync(join(dir, 'src/sub/deeper'), { recursive: true });
      writeFileSync(join(dir, 'src/hello.txt'), 'hello\n');
      writeFileSync(join(dir, 'src/sub/bin'), noise(3 * 1024 * 1024 + 5, 3));
      writeFileSync(join(dir, 'src/sub/deeper/empty'), '');
      const obscured = (await run('rclone', ['obscure', f.pass])).out.trim();
      const remote = `:smb,host=127.0.0.1,port=${f.port},user=${f.user},pass=${obscured}:share/copy`;
      const env = { RCLONE_CONFIG: join(dir, 'none.conf') };
      const copy = await run('rclone', ['copy', join(dir, 'src'), remote], { env, timeoutMs: 60_000 });
      assert.is(copy.code, 0, copy.out);
      const check = await run('rclone', ['check', '--download', join(dir, 'src'), remote], { env, timeoutMs: 60_000 });
      assert.is(check.code, 0, check.out);
      assert.match(check.out, /0 differences found/);
      assert.is((await f.server.vfs.stat('/copy/sub/bin')).size, 3 * 1024 * 1024 + 5);
    });
  } finally {
    await f.stop();
  }
});

s('NTLMv1 is refused by default', async () => {
  const f = await startSmb();
  try {
    const r = await smbclient(f, 'ls', NTLM_V1);
    assert.match(r.out, /NT_STATUS_LOGON_FAILURE/);
  } finally {
    await f.stop();
  }
});

s('NTLMv1 works with allowNtlmV1 and still checks the password', async () => {
  const f = await startSmb({ allowNtlmV1: true });
  try {
    const ok = await smbclient(f, 'mkdir v1dir; ls', NTLM_V1);
    assert.match(ok.out, /v1dir\s+D/);
    const bad = await run('smbclient', ['//127.0.0.1/share', '-p', String(f.port), '-U', `${f.user}%nope`, ...NTLM_V1, '-c', 'ls']);
    assert.match(bad.out, /NT_STATUS_LOGON_FAILURE/);
  } finally {
    await f.stop();
  }
});

s('encryptData: SMB 3 clients encrypt, SMB 2.1 clients are refused', async () => {
  const f = await startSmb({ encryptData: true });
  try {
    await withWork(async (dir) => {
      writeFileSync(join(dir, 'x'), 'secret data\n');
      const ok = await smbclient(f, 'put x enc.txt; ls', ['-m', 'SMB3_11'], dir);
      assert.match(ok.out, /enc\.txt\s+A\s+12/);
      const old = await smbclient(f, 'ls', ['-m', 'SMB2_10'], dir);
      assert.match(old.out, /NT_STATUS_ACCESS_DENIED/);
    });
  } finally {
    await f.stop();
  }
});

s('repeated wrong passwords lock the user out for that address', async () => {
  const f = await startSmb();
  try {
    for (let i = 0; i < 5; i++) await run('smbclient', ['//127.0.0.1/share', '-p', String(f.port), '-U', `${f.user}%bad${i}`, '-c', 'ls']);
    const locked = await smbclient(f, 'ls');
    assert.match(locked.out, /NT_STATUS_ACCOUNT_LOCKED_OUT/);
  } finally {
    await f.stop();
  }
});

s.run();
