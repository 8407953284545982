// Real FTP clients against the FTP frontend, plain, explicit and implicit FTPS: curl, lftp, Python's ftplib, rclone.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { noise } from '../helpers/tree.ts';
import { withTmp } from '../helpers/tmp.ts';
import { ok, run } from './run.ts';
import { startFtp, type FtpTestServer } from './server.ts';

const test = suite<{ srv: FtpTestServer }>('ftp: real clients');
test.before(async (ctx) => {
  ctx.srv = await startFtp({ tls: true });
});
test.after(async (ctx) => {
  await ctx.srv?.close();
});

const base = (srv: FtpTestServer) => `ftp://u:p@127.0.0.1:${srv.port}`;
const CURL = ['-sS', '--fail', '--max-time', '60'];

/** A small tree with the names and sizes uploaders produce. */
function fixture(root: string): void {
  mkdirSync(join(root, 'photos/2024/ünï cødé'), { recursive: true });
  mkdirSync(join(root, 'empty-dir'));
  writeFileSync(join(root, 'photos/2024/big.raw'), noise(2 * 1024 * 1024 + 3, 9));
  writeFileSync(join(root, 'photos/2024/ünï cødé/note #1.txt'), 'hello\n');
  writeFileSync(join(root, 'empty'), '');
  for (let i = 0; i < 20; i++) writeFileSync(join(root, `photos/small-${i}.jpg`), noise(1000 + i * 37, i + 1));
}

for (const secure of [false, true]) {
  const tlsArgs = secure ? ['--ssl-reqd', '-k'] : [];
  const label = secure ? 'explicit FTPS' : 'plain';

  test(`curl (${label}): upload, download, resume both ways, list, rename, delete, create dirs`, async ({ srv }) => {
    await withTmp(async (dir) => {
      const data = noise(3 * 1024 * 1024 + 11, secure ? 3 : 4);
      const src = join(dir, 'src.bin');
      writeFileSync(src, data);
      const top = secure ? 'tls' : 'plain';
      await ok('curl', [...CURL, ...tlsArgs, '--ftp-create-dirs', '-T', src, `${base(srv)}/${top}/a/b/up.bin`]);
      await ok('curl', [...CURL, ...tlsArgs, '-o', join(dir, 'down.bin'), `${base(srv)}/${top}/a/b/up.bin`]);
      assert.ok(readFileSync(join(dir, 'down.bin')).equals(data));
      // Resume an upload: the first megabyte is there, -C - sends the rest (SIZE, then REST+STOR).
      writeFileSync(join(dir, 'part.bin'), data.subarray(0, 1024 * 1024));
      await ok('curl', [...CURL, ...tlsArgs, '-T', join(dir, 'part.bin'), `${base(srv)}/${top}/resume.bin`]);
      await ok('curl', [...CURL, ...tlsArgs, '-C', '-', '-T', src, `${base(srv)}/${top}/resume.bin`]);
      const whole = await run('curl', [...CURL, ...tlsArgs, '-o', join(dir, 'resumed.bin'), `${base(srv)}/${top}/resume.bin`]);
      assert.is(whole.code, 0, whole.stderr);
      assert.ok(readFileSync(join(dir, 'resumed.bin')).equals(data), 'resumed upload is whole');
      // Resume a download from a partial local copy.
      writeFileSync(join(dir, 'partial-down.bin'), data.subarray(0, 777_777));
      await ok('curl', [...CURL, ...tlsArgs, '-C', '-', '-o', join(dir, 'partial-down.bin'), `${base(srv)}/${top}/a/b/up.bin`]);
      assert.ok(readFileSync(join(dir, 'partial-down.bin')).equals(data), 'resumed download is whole');
      // Rename and delete through -Q, then list.
      await ok('curl', [...CURL, ...tlsArgs, '-Q', `RNFR ${top}/resume.bin`, '-Q', `RNTO ${top}/renamed.bin`, '-Q', `DELE ${top}/a/b/up.bin`, `${base(srv)}/`]);
      const names = await ok('curl', [...CURL, ...tlsArgs, '-l', `${base(srv)}/${top}/`]);
      assert.equal(names.trim().split(/\r?\n/).sort(), ['a', 'renamed.bin']);
      const long = await ok('curl', [...CURL, ...tlsArgs, `${base(srv)}/${top}/`]);
      assert.match(long, new RegExp(`^-rw-r--r-- .* ${data.length} .* renamed\\.bin\\r?$`, 'm'));
      const gone = await run('curl', [...CURL, ...tlsArgs, '-o', join(dir, 'x'), `${base(srv)}/${top}/a/b/up.bin`]);
      assert.is.not(gone.code, 0, 'deleted file is gone');
    });
  });

  test(`lftp (${label}): mirror -R a tree, mirror it back, diff -r clean`, async ({ srv }) => {
    await withTmp(async (dir) => {
      fixture(join(dir, 'src'));
      const settings = secure ? 'set ftp:ssl-force yes; set ftp:ssl-protect-data yes; set ssl:verify-certificate no' : 'set ftp:ssl-allow no';
      const remote = secure ? '/mirror-tls' : '/mirror-plain';
      const script = `set cmd:fail-exit yes; set net:max-retries 1; set net:timeout 20; ${settings}; mirror -R ${join(dir, 'src')} ${remote}; mirror ${remote} ${join(dir, 'back')}; quit`;
      await ok('lftp', ['-u', 'u,p', '-p', String(srv.port), '127.0.0.1', '-e', script], { timeoutMs: 90_000 });
      await ok('diff', ['-r', join(dir, 'src'), join(dir, 'back')]);
    });
  });

  test(`rclone ftp backend (${label}): copy + check clean`, async ({ srv }) => {
    await withTmp(async (dir) => {
      fixture(join(dir, 'src'));
      const pass = (await ok('rclone', ['obscure', 'p'])).trim();
      const remote = `:ftp,host=127.0.0.1,port=${srv.port},user=u,pass=${pass}${secure ? ',explicit_tls=true,no_check_certificate=true' : ''}:${secure ? 'rc-tls' : 'rc-plain'}`;
      const env = ['--config', '/dev/null', '--low-level-retries', '1', '--retries', '1'];
      await ok('rclone', ['copy', join(dir, 'src'), remote, ...env], { timeoutMs: 90_000 });
      const check = await run('rclone', ['check', join(dir, 'src'), remote, ...env], { timeoutMs: 90_000 });
      assert.is(check.code, 0, check.stderr);
      assert.match(check.stderr, /0 differences found/);
    });
  });
}

test('implicit FTPS on its own port: curl, lftp mirror both ways and rclone, data protected', async ({ srv }) => {
  await withTmp(async (dir) => {
    assert.ok(srv.implicitPort, 'the server listens for implicit FTPS');
    const url = `ftps://u:p@127.0.0.1:${srv.implicitPort}`;
    const data = noise(1024 * 1024 + 5, 21);
    writeFileSync(join(dir, 'up.bin'), data);
    await ok('curl', [...CURL, '-k', '--ftp-create-dirs', '-T', join(dir, 'up.bin'), `${url}/implicit/up.bin`]);
    await ok('curl', [...CURL, '-k', '-o', join(dir, 'down.bin'), `${url}/implicit/up.bin`]);
    assert.ok(readFileSync(join(dir, 'down.bin')).equals(data));
    assert.is((await ok('curl', [...CURL, '-k', '-l', `${url}/implicit/`])).trim(), 'up.bin');
    // The same port refuses a client that does not start with TLS.
    const plain = await run('curl', [...CURL, '--max-time', '3', `ftp://u:p@127.0.0.1:${srv.implicitPort}/implicit/`]);
    assert.is.not(plain.code, 0, 'plain FTP on the implicit port fails');

    fixture(join(dir, 'src'));
    const script = `set cmd:fail-exit yes; set net:max-retries 1; set net:timeout 20; set ssl:verify-certificate no; set ftp:ssl-protect-data yes; mirror -R ${join(dir, 'src')} /mirror-implicit; mirror /mirror-implicit ${join(dir, 'back')}; quit`;
    await ok('lftp', ['-u', 'u,p', `ftps://127.0.0.1:${srv.implicitPort}`, '-e', script], { timeoutMs: 90_000 });
    await ok('diff', ['-r', join(dir, 'src'), join(dir, 'back')]);

    const pass = (await ok('rclone', ['obscure', 'p'])).trim();
    const remote = `:ftp,host=127.0.0.1,port=${srv.implicitPort},user=u,pass=${pass},tls=true,no_check_certificate=true:rc-implicit`;
    const env = ['--config', '/dev/null', '--low-level-retries', '1', '--retries', '1'];
    await ok('rclone', ['copy', join(dir, 'src'), remote, ...env], { timeoutMs: 90_000 });
    const check = await run('rclone', ['check', join(dir, 'src'), remote, ...env], { timeoutMs: 90_000 });
    assert.is(check.code, 0, check.stderr);
    assert.match(check.stderr, /0 differences found/);
  });
});

test('python ftplib (plain and FTP_TLS): MLSD/MLST facts, MFMT, SITE CHMOD, snapshots', async ({ srv }) => {
  const script = String.raw`
import ftplib, io, sys, time, json
port = int(sys.argv[1]); out = {}
for secure in (False, True):
    f = ftplib.FTP_TLS() if secure else ftplib.FTP()
    if secure:
        import ssl; f.context = ssl._create_unverified_context()
    f.connect('127.0.0.1', port); f.login('u', 'p')
    if secure: f.prot_p()
    d = '/py-tls' if secure else '/py'
    f.mkd(d); f.cwd(d)
    f.storbinary('STOR ünï.bin', io.BytesIO(b'x' * 1234))
    f.mkd('sub')
    f.sendcmd('SITE CHMOD 600 ünï.bin')
    f.sendcmd('MFMT 20200102030405 ünï.bin')
    facts = dict(f.mlsd(d))
    out['tls' if secure else 'plain'] = {'facts': facts, 'mlst': f.sendcmd('MLST ünï.bin'), 'mdtm': f.sendcmd('MDTM ünï.bin'), 'size': f.size('ünï.bin')}
    if not secure:
        f.mkd('/.snapshots/pysnap')
        out['snapfacts'] = dict(f.mlsd('/.snapshots/pysnap/py'))
        try:
            f.storbinary('STOR /.snapshots/pysnap/py/new', io.BytesIO(b'no'))
            out['snapstor'] = 'accepted'
        except ftplib.error_perm as e:
            out['snapstor'] = str(e)
        try:
            f.delete('/.snapshots/pysnap/py/ünï.bin')
            out['snapdele'] = 'accepted'
        except ftplib.error_perm as e:
            out['snapdele'] = str(e)
    f.quit()
print(json.dumps(out))
`;
  const r = await ok('/usr/bin/python3', ['-c', script, String(srv.port)]);
  const out = JSON.parse(r) as Record<string, any>;
  for (const k of ['plain', 'tls']) {
    const { facts, mlst, mdtm, size } = out[k];
    const file = facts['ünï.bin'];
    assert.is(file.type, 'file');
    assert.is(file.size, '1234');
    assert.is(file.modify, '20200102030405.000');
    assert.is(file.perm, 'rwadf');
    assert.is(file['unix.mode'], '0600');
    assert.match(file.unique, /^[0-9a-f]+$/);
    assert.is(facts.sub.type, 'dir');
    assert.is(facts.sub.perm, 'elcmdfp');
    assert.is.not(facts.sub.unique, file.unique);
    assert.match(mlst, /^250-.*\n type=file;size=1234;modify=20200102030405\.000;perm=rwadf;unique=[0-9a-f]+;unix\.mode=0600; \/py(-tls)?\/ünï\.bin\r?\n250 End/);
    assert.is(mdtm, '213 20200102030405');
    assert.is(size, 1234);
  }
  assert.is(out.snapfacts['ünï.bin'].perm, 'r', 'snapshot files are read-only');
  assert.is(out.snapfacts.sub.perm, 'el');
  assert.match(out.snapstor, /^550 Read-only/);
  assert.match(out.snapdele, /^550 Read-only/);
});

test.run();
