// The FTP frontend under bad and unusual input, over a bare control connection: clear replies, no crash.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { freePort } from '../helpers/serve.ts';
import { RawFtp, readAll } from './raw.ts';
import { startFtp, USER, type FtpTestServer } from './server.ts';

const test = suite<{ srv: FtpTestServer }>('ftp: protocol and bad input');
test.before(async (ctx) => {
  ctx.srv = await startFtp({ users: [USER, { name: 'jailed', password: 'pw', home: '/homes/jailed', readOnly: false, snapshotCreate: false, snapshotDelete: false }] });
});
test.after(async (ctx) => {
  await ctx.srv?.close();
});

/** Opens a raw connection, runs `fn`, and always closes it. */
async function withConn(port: number, fn: (c: RawFtp) => Promise<void>): Promise<void> {
  const c = await RawFtp.open(port);
  try {
    await fn(c);
  } finally {
    c.close();
  }
}

test('before sign-in: 530 for file commands, 502 for unknown ones, FEAT/SYST/NOOP work', async ({ srv }) => {
  await withConn(srv.port, async (c) => {
    assert.is((await c.cmd('LIST')).code, 530);
    assert.is((await c.cmd('RETR /x')).code, 530);
    assert.is((await c.cmd('STOR /x')).code, 530);
    assert.is((await c.cmd('FROB x')).code, 502);
    assert.is((await c.cmd('PASS p')).code, 503);
    assert.is((await c.cmd('NOOP')).code, 200);
    assert.is((await c.cmd('SYST')).code, 215);
    const feat = await c.cmd('FEAT');
    assert.is(feat.code, 211);
    assert.match(feat.text, /\n MLST type\*;size\*;modify\*;perm\*;unique\*;unix\.mode\*;/);
    assert.not.match(feat.text, /AUTH TLS/, 'no TLS configured, none offered');
    assert.not.match(feat.text, /EPRT/, 'active mode off, not offered');
    assert.is((await c.cmd('AUTH TLS')).code, 502);
  });
});

test('overlong lines get 500 and the session goes on; empty lines and NUL paths are refused', async ({ srv }) => {
  await withConn(srv.port, async (c) => {
    c.send('NOOP ' + 'x'.repeat(20_000));
    assert.is((await c.reply()).code, 500);
    assert.is((await c.cmd('NOOP')).code, 200);
    assert.is((await c.cmd('')).code, 500);
    await c.login();
    assert.is((await c.cmd('CWD a\0b')).code, 501);
    assert.is((await c.cmd(`MKD ${'n'.repeat(300)}`)).code, 553);
    assert.is((await c.cmd('TYPE Z')).code, 504);
    assert.is((await c.cmd('MODE B')).code, 504);
    assert.is((await c.cmd('REST abc')).code, 501);
    assert.is((await c.cmd('MFMT garbage x')).code, 501);
    assert.is((await c.cmd('RNTO /x')).code, 503);
    assert.is((await c.cmd('NOOP')).code, 200);
  });
});

test('wrong passwords: 530 each, the connection is closed after three; the right one still works elsewhere', async ({ srv }) => {
  await withConn(srv.port, async (c) => {
    for (let i = 0; i < 2; i++) {
      await c.cmd('USER u');
      assert.is((await c.cmd('PASS wrong')).code, 530);
    }
    await c.cmd('USER u');
    assert.is((await c.cmd('PASS wrong')).code, 421);
  });
  await withConn(srv.port, async (c) => {
    await c.login();
    assert.is((await c.cmd('PWD')).code, 257);
  });
});

test('active mode is off by default; PASV/EPSV announce the listen address', async ({ srv }) => {
  await withConn(srv.port, async (c) => {
    await c.login();
    assert.is((await c.cmd('PORT 127,0,0,1,200,10')).code, 502);
    assert.is((await c.cmd('EPRT |1|127.0.0.1|51210|')).code, 502);
    assert.match((await c.cmd('PASV')).text, /^227 Entering Passive Mode \(127,0,0,1,\d+,\d+\)/);
    assert.match((await c.cmd('EPSV')).text, /^229 .*\(\|\|\|\d+\|\)/);
    assert.is((await c.cmd('ABOR')).code, 225);
    assert.is((await c.cmd('RETR nothing-prepared')).code, 550);
    assert.is((await c.cmd('LIST')).code, 425, 'no PASV: 425');
  });
});

test('jail: .. and absolute paths never leave the home; paths outside are not found', async ({ srv }) => {
  await srv.server.vfs.writeFile('/secret.txt', Buffer.from('top secret'));
  await withConn(srv.port, async (c) => {
    await c.login('jailed', 'pw');
    assert.is((await c.cmd('CWD ../../..')).code, 250);
    assert.match((await c.cmd('PWD')).text, /^257 "\/" /);
    assert.is((await c.cmd('CDUP')).code, 250);
    assert.is((await c.cmd('SIZE /../secret.txt')).code, 550);
    assert.is((await c.cmd('SIZE ../../secret.txt')).code, 550);
    assert.is((await c.cmd('MKD ../../escape')).code, 257);
    assert.is((await c.cmd('MKD /.snapshots/nope')).code, 550, 'no snapshot rights');
  });
  assert.is((await srv.server.vfs.stat('/homes/jailed/escape')).kind, 'dir');
  await srv.server.vfs.stat('/escape').then(
    () => assert.unreachable('escaped the jail'),
    (err: { code?: string }) => assert.is(err.code, 'ENOENT'),
  );
});

test('uploads: STOR streams and commits; ABOR mid-upload discards it; a vanished client leaves no file', async ({ srv }) => {
  await withConn(srv.port, async (c) => {
    await c.login();
    await c.cmd('TYPE I');
    let data = await c.passive();
    c.send('STOR /whole.bin');
    assert.is((await c.reply()).code, 150);
    data.end(Buffer.alloc(300_000, 7));
    assert.match((await c.reply()).text, /^226 .*300000 bytes/);
    assert.is((await srv.server.vfs.stat('/whole.bin')).size, 300_000);

    data = await c.passive();
    c.send('STOR /aborted.bin');
    assert.is((await c.reply()).code, 150);
    data.write(Buffer.alloc(100_000, 1));
    await new Promise((r) => setTimeout(r, 100));
    c.send(Buffer.from([0xff, 0xf4, 0xff, 0xf2, ...Buffer.from('ABOR')]));
    assert.is((await c.reply()).code, 426);
    assert.is((await c.reply()).code, 226);
    data.destroy();
    assert.is((await c.cmd('SIZE /aborted.bin')).code, 550, 'aborted upload discarded');
    assert.is((await c.cmd('NOOP')).code, 200);
  });
  const c = await RawFtp.open(srv.port);
  await c.login();
  const data = await c.passive();
  c.send('STOR /vanished.bin');
  assert.is((await c.reply()).code, 150);
  data.write(Buffer.alloc(50_000, 2));
  await new Promise((r) => setTimeout(r, 100));
  c.close();
  data.destroy();
  await new Promise((r) => setTimeout(r, 300));
  await srv.server.vfs.stat('/vanished.bin').then(
    () => assert.unreachable('half upload visible'),
    (err: { code?: string }) => assert.is(err.code, 'ENOENT'),
  );
});

test('REST+RETR, REST+STOR at an offset, APPE, STOU; request events carry bytes', async ({ srv }) => {
  await withConn(srv.port, async (c) => {
    await c.login();
    await c.cmd('TYPE I');
    let data = await c.passive();
    c.send('STOR /r.txt');
    await c.reply();
    data.end('0123456789');
    await c.reply();

    data = await c.passive();
    assert.is((await c.cmd('REST 4')).code, 350);
    c.send('RETR /r.txt');
    assert.is((await c.reply()).code, 150);
    assert.is((await readAll(data)).toString(), '456789');
    assert.is((await c.reply()).code, 226);

    data = await c.passive();
    await c.cmd('REST 3');
    c.send('STOR /r.txt');
    await c.reply();
    data.end('abc');
    assert.is((await c.reply()).code, 226);

    data = await c.passive();
    c.send('APPE /r.txt');
    await c.reply();
    data.end('XYZ');
    assert.is((await c.reply()).code, 226);
    assert.is((await c.cmd('SIZE /r.txt')).text, '213 13');

    data = await c.passive();
    c.send('STOU');
    const pre = await c.reply();
    assert.match(pre.text, /^150 FILE: upload\.\w+/);
    data.end('unique');
    const done = await c.reply();
    const name = /unique file name: (\S+)\)/.exec(done.text)?.[1];
    assert.ok(name, done.text);
    assert.is((await c.cmd(`SIZE ${name}`)).text, '213 6');
    assert.is((await c.cmd('REST 99')).code, 350);
    await c.passive();
    assert.is((await c.cmd('RETR /r.txt')).code, 554, 'REST beyond the end');
  });
  const f = await srv.server.vfs.open('/r.txt');
  assert.is((await f.read(0, 100)).toString(), '012abc6789XYZ');
  await f.close();
  const stor = srv.events.find((e) => e.op === 'STOR' && e.bytesIn === 10);
  assert.ok(stor && stor.ok && stor.protocol === 'ftp');
  assert.ok(srv.events.some((e) => e.op === 'RETR' && e.bytesOut === 6));
});

test('server stays up: idle timeout, PASV exhaustion, anonymous read-only, max sessions', async () => {
  const srv = await startFtp({ ftp: { idleTimeoutSeconds: 1, pasvPortRange: [0, 0], anonymous: true, maxSessions: 3 } }).catch((e: Error) => e);
  assert.ok(srv instanceof Error && /pasvPortRange/.test(srv.message), 'bad range refused at start');
  // A port nothing holds right now (a random one could be some connection's local port).
  const port = await freePort();
  const s = await startFtp({ ftp: { idleTimeoutSeconds: 1, pasvPortRange: [port, port], anonymous: true, maxSessions: 3 } });
  try {
    const a = await RawFtp.open(s.port);
    const b = await RawFtp.open(s.port);
    try {
      await a.login();
      await b.login('anonymous', 'me@example.org');
      assert.match((await a.cmd('PASV')).text, new RegExp(`,${port >> 8},${port & 255}\\)`));
      assert.is((await b.cmd('EPSV')).code, 425, 'the only passive port is taken');
      assert.is((await b.cmd('MKD /nope')).code, 550);
      assert.match((await b.cmd('DELE /x')).text, /Permission denied|No such file/);
      assert.is((await b.cmd('PWD')).code, 257);
      const c = await RawFtp.open(s.port);
      const d = await RawFtp.open(s.port).then(
        () => assert.unreachable('fourth session accepted'),
        (e: Error) => e,
      );
      c.close();
      assert.match(String(d), /421|closed/);
      const idle = await a.reply(5000);
      assert.is(idle.code, 421);
      assert.match(idle.text, /Idle timeout/);
    } finally {
      a.close();
      b.close();
    }
  } finally {
    await s.close();
  }
});

test.run();
