// smbclient (Samba 4.17) against strata's SMB server: every dialect with signing, listing, snapshots, encryption, bad passwords.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startSmb, smbclient, run, type SmbFixture } from './harness.ts';

const s = suite<{ f: SmbFixture; work: string }>('smb: smbclient');

s.before(async (ctx) => {
  ctx.f = await startSmb({}, [
    { name: 'alice', password: 'secret pw', readOnly: false },
    { name: 'bob', password: 'bob pw', readOnly: true },
  ]);
  ctx.work = mkdtempSync(join(tmpdir(), 'strata-smbc-'));
  writeFileSync(join(ctx.work, 'a'), 'hello over smb\n');
});

s.after(async (ctx) => {
  rmSync(ctx.work, { recursive: true, force: true });
  await ctx.f?.stop();
});

for (const dialect of ['SMB2_02', 'SMB2_10', 'SMB3_00', 'SMB3_11']) {
  s(`${dialect} with required signing: ls, put, get, mkdir, rmdir, rename, allinfo, rm`, async ({ f, work }) => {
    const d = dialect.toLowerCase();
    const cmds = `put a ${d}; get ${d} ${d}.back; mkdir dir-${d}; ls; rmdir dir-${d}; rename ${d} ${d}-renamed; allinfo ${d}-renamed; ls`;
    const r = await smbclient(f, cmds, ['-m', dialect, '--option=client signing=required'], work);
    assert.is(r.code, 0, r.out);
    assert.not.match(r.out, /NT_STATUS_/);
    assert.is(readFileSync(join(work, `${d}.back`), 'utf8'), 'hello over smb\n');
    assert.match(r.out, new RegExp(`dir-${d}\\s+D`));
    assert.match(r.out, /stream: \[::\$DATA\], 15 bytes/);
    assert.match(r.out, /attributes: A \(20\)/);
    assert.is((await f.server.vfs.stat(`/${d}-renamed`)).size, 15);
    const rm = await smbclient(f, `rm ${d}-renamed; ls ${d}-renamed`, ['-m', dialect], work);
    assert.match(rm.out, /NT_STATUS_NO_SUCH_FILE/);
    assert.is(await f.server.vfs.stat(`/${d}-renamed`).then(() => 'exists', (e: { code?: string }) => e.code), 'ENOENT');
  });
}

s('errors: missing file, missing directory, existing directory, wrong password', async ({ f, work }) => {
  const r = await smbclient(f, 'get nothing-here x', [], work);
  assert.match(r.out, /NT_STATUS_OBJECT_NAME_NOT_FOUND/);
  const p = await smbclient(f, 'get no-dir\\x x', [], work);
  assert.match(p.out, /NT_STATUS_OBJECT_PATH_NOT_FOUND/);
  const m = await smbclient(f, 'mkdir twice; mkdir twice', [], work);
  assert.match(m.out, /NT_STATUS_OBJECT_NAME_COLLISION/);
  const bad = await run('smbclient', ['//127.0.0.1/share', '-p', String(f.port), '-U', `${f.user}%wrong`, '-c', 'ls']);
  assert.match(bad.out, /NT_STATUS_LOGON_FAILURE/);
  const noshare = await run('smbclient', ['//127.0.0.1/nope', '-p', String(f.port), '-U', `${f.user}%${f.pass}`, '-c', 'ls']);
  assert.match(noshare.out, /NT_STATUS_BAD_NETWORK_NAME/);
});

s('a read-only user can list and read but not write; .. never leaves the share', async ({ f, work }) => {
  await f.server.vfs.writeFile('/shared.txt', Buffer.from('for everyone\n'));
  const args = ['//127.0.0.1/share', '-p', String(f.port), '-U', 'bob%bob pw', '-c'];
  const r = await run('smbclient', [...args, 'get shared.txt bob.txt; put a nope.txt; mkdir nodir; rm shared.txt'], { cwd: work });
  assert.is(readFileSync(join(work, 'bob.txt'), 'utf8'), 'for everyone\n');
  assert.is((r.out.match(/NT_STATUS_ACCESS_DENIED/g) ?? []).length, 3, r.out);
  const up = await run('smbclient', [...args, 'cd ..\\..\\..; ls'], { cwd: work });
  assert.match(up.out, /shared\.txt/);
  assert.not.match(up.out, /\betc\b|\bproc\b/);
});

s('smbclient -L lists the share through srvsvc', async ({ f }) => {
  const r = await run('smbclient', ['-L', '//127.0.0.1', '-p', String(f.port), '-U', `${f.user}%${f.pass}`]);
  assert.match(r.out, /share\s+Disk\s+strata archive/);
  assert.match(r.out, /IPC\$\s+IPC/);
});

s('previous versions: allinfo lists snapshots, @GMT paths read the old content', async ({ f, work }) => {
  writeFileSync(join(work, 'v1'), 'version one\n');
  writeFileSync(join(work, 'v2'), 'version two!\n');
  const r = await smbclient(f, 'put v1 doc.txt; mkdir .snapshots\\before; put v2 doc.txt; allinfo doc.txt', [], work);
  const token = /(@GMT-\d{4}\.\d\d\.\d\d-\d\d\.\d\d\.\d\d)/.exec(r.out)?.[1];
  assert.ok(token, r.out);
  const g = await smbclient(f, `get ${token}\\doc.txt old.txt; get doc.txt new.txt; put v2 ${token}\\doc.txt`, [], work);
  assert.is(readFileSync(join(work, 'old.txt'), 'utf8'), 'version one\n');
  assert.is(readFileSync(join(work, 'new.txt'), 'utf8'), 'version two!\n');
  assert.match(g.out, /NT_STATUS_MEDIA_WRITE_PROTECTED|NT_STATUS_ACCESS_DENIED/);
});

for (const dialect of ['SMB3_00', 'SMB3_11']) {
  s(`${dialect} encrypted (--client-protection=encrypt)`, async ({ f, work }) => {
    const r = await smbclient(f, `put a enc-${dialect}; get enc-${dialect} enc-${dialect}.back`, ['-m', dialect, '--client-protection=encrypt'], work);
    assert.is(r.code, 0, r.out);
    assert.is(readFileSync(join(work, `enc-${dialect}.back`), 'utf8'), 'hello over smb\n');
  });
}

s.run();
