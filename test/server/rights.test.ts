// Rights, the same in every protocol: a read-only user reads but cannot write; a user jailed to a
// home cannot see outside it; wrong passwords fail everywhere.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strata, strataOk } from '../helpers/cli.ts';
import { ftpClient, smbClient, webdavClient, type ProtocolClient } from '../helpers/protocol-clients.ts';
import { freePort, startServe } from '../helpers/serve.ts';
import { withTmp } from '../helpers/tmp.ts';

test('read-only users, home jails and wrong passwords behave the same in WebDAV, FTP and SMB', () =>
  withTmp(async (dir) => {
    const ar = join(dir, 'ar');
    const src = join(dir, 'src');
    mkdirSync(join(src, 'alice'), { recursive: true });
    mkdirSync(join(src, 'other'), { recursive: true });
    writeFileSync(join(src, 'alice', 'a.txt'), 'alice file\n');
    writeFileSync(join(src, 'other', 'secret.txt'), 'not for alice\n');
    strataOk(['init', ar]);
    strataOk(['import', ar, src]);
    const add = (args: string[], password: string) => {
      const r = strata(['user', 'add', ar, ...args], { env: { STRATA_USER_PASSWORD: password } });
      assert.is(r.status, 0, r.stderr);
    };
    add(['alice', '--home', '/alice'], 'alice-pw');
    add(['bob', '--read-only'], 'bob-pw');
    const [w, f, s] = [await freePort(), await freePort(), await freePort()];
    const serve = await startServe(ar, ['--webdav', `127.0.0.1:${w}`, '--ftp', `127.0.0.1:${f}`, '--smb', `127.0.0.1:${s}`], ['webdav', 'ftp', 'smb']);
    try {
      const make = (user: string, pass: string): ProtocolClient[] => [webdavClient(w, user, pass), ftpClient(f, user, pass), smbClient(s, user, pass)];
      for (const c of make('bob', 'bob-pw')) {
        const got = await c.get('/alice/a.txt');
        assert.is(got.data?.toString(), 'alice file\n', `${c.name}: bob reads (${got.said})`);
        assert.not.ok((await c.put(`/bob-${c.name}.txt`, Buffer.from('x'))).ok, `${c.name}: read-only bob cannot write`);
        assert.not.ok((await c.mkdir(`/bobdir-${c.name}`)).ok, `${c.name}: read-only bob cannot mkdir`);
        assert.not.ok((await c.remove('/alice/a.txt')).ok, `${c.name}: read-only bob cannot delete`);
      }
      for (const c of make('alice', 'alice-pw')) {
        const names = (await c.list('/')).names ?? [];
        assert.ok(names.includes('a.txt') && !names.includes('other') && !names.includes('alice'), `${c.name}: alice sees only her home (${names})`);
        assert.not.ok((await c.get('/other/secret.txt')).data?.toString().includes('not for alice'), `${c.name}: alice cannot reach /other`);
        assert.not.ok((await c.get('/../other/secret.txt')).data?.toString().includes('not for alice'), `${c.name}: .. does not escape`);
        const put = await c.put(`/new-${c.name}.txt`, Buffer.from(c.name));
        assert.ok(put.ok, `${c.name}: alice writes in her home (${put.said})`);
      }
      for (const c of make('bob', 'bob-pw')) {
        for (const p of ['webdav', 'ftp', 'smb']) assert.is((await c.get(`/alice/new-${p}.txt`)).data?.toString(), p, `${c.name} sees alice's ${p} upload in /alice`);
      }
      for (const c of make('alice', 'wrong-password')) {
        assert.not.ok((await c.get('/a.txt')).ok, `${c.name}: a wrong password fails`);
      }
    } finally {
      await serve.stop();
    }
  }));

test.run();
