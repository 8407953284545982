// Changes made through WebDAV and FTP reach SMB clients: a pending CHANGE_NOTIFY (impacket, cross_protocol.py)
// completes for a PUT, MOVE, DELETE, MKCOL or an FTP upload, and SMB oplocks and leases break when another
// protocol writes or deletes the file; SMB's own changes are neither reported twice nor break its own lease.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pino } from 'pino';
import { Archive } from '../../core/archive.ts';
import { StrataServer } from '../../core/server/server.ts';
import { start as startFtp } from '../../protocols/ftp/index.ts';
import { start as startSmb } from '../../protocols/smb/index.ts';
import { start as startDav } from '../../protocols/webdav/index.ts';
import { run } from './harness.ts';

const SCRIPT = fileURLToPath(new URL('./cross_protocol.py', import.meta.url));
const USER = 'alice';
const PASS = 'secret pw';
/** FILE_NOTIFY_CHANGE_FILE_NAME | DIR_NAME | SIZE | LAST_WRITE. */
const NAMES_AND_WRITES = '1b';
const ADDED = 1;
const REMOVED = 2;
const MODIFIED = 3;
const OLD_NAME = 4;
const NEW_NAME = 5;

/** One server with SMB, WebDAV and FTP over a fresh archive. */
interface Fixture {
  smbPort: number;
  dav: string;
  ftp: string;
  tmp: string;
  stop(): Promise<void>;
}

async function startAll(): Promise<Fixture> {
  process.env.STRATA_KDF_N = '1024';
  const tmp = mkdtempSync(join(tmpdir(), 'strata-xproto-'));
  let server: StrataServer | null = null;
  try {
    await Archive.init(join(tmp, 'ar'), { password: () => 'pw', chunkSizeAvg: 64 * 1024 });
    const archive = await Archive.open(join(tmp, 'ar'), { password: () => 'pw' });
    server = new StrataServer(archive, {
      users: [{ name: USER, password: PASS, home: '/', readOnly: false, snapshotCreate: true, snapshotDelete: true }],
      log: pino({ level: process.env.STRATA_LOG_LEVEL ?? 'silent' }),
    });
    const listen = { host: '127.0.0.1', port: 0 };
    const smb = await server.start({ name: 'smb', start: startSmb as never, options: { listen, oplockBreakTimeoutMs: 3000 } });
    const dav = await server.start({ name: 'webdav', start: startDav, options: { listen } });
    const ftp = await server.start({ name: 'ftp', start: startFtp, options: { listen, failedLoginDelayMs: 10 } });
    const s = server;
    return {
      smbPort: Number(/:(\d+)\//.exec(smb.urls[0]!)![1]),
      dav: dav.urls[0]!.replace(/\/$/, ''),
      ftp: ftp.urls[0]!.replace(/\/$/, ''),
      tmp,
      stop: async () => {
        try {
          await s.stop(5000);
        } finally {
          rmSync(tmp, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    await server?.stop(1000).catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** The impacket client of cross_protocol.py: one command per line in, one answer per line out. */
class SmbClient {
  private readonly lines: string[] = [];
  private wake: (() => void) | null = null;
  private readonly proc: ChildProcessWithoutNullStreams;
  private stderr = '';

  constructor(port: number) {
    this.proc = spawn('/usr/bin/python3', [SCRIPT, '127.0.0.1', String(port), USER, PASS, 'share']);
    this.proc.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    createInterface({ input: this.proc.stdout }).on('line', (l) => {
      this.lines.push(l);
      this.wake?.();
    });
    this.proc.on('exit', () => this.wake?.());
  }

  send(command: string): void {
    this.proc.stdin.write(command + '\n');
  }

  /** The next line of output (fails after `ms`, or when the script exits). */
  async next(ms = 10_000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!this.lines.length) {
      if (this.proc.exitCode !== null) throw new Error(`client exited ${this.proc.exitCode}: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`no answer from the SMB client within ${ms} ms; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 100);
      });
      this.wake = null;
    }
    return this.lines.shift()!;
  }

  /** Sends `command` and returns its answer. */
  async ask(command: string, ms?: number): Promise<string> {
    this.send(command);
    return this.next(ms);
  }

  close(): void {
    this.proc.stdin.end();
    this.proc.kill();
  }
}

async function withClient(f: Fixture, fn: (c: SmbClient) => Promise<void>): Promise<void> {
  const c = new SmbClient(f.smbPort);
  try {
    assert.is(await c.next(), 'ready');
    await fn(c);
  } finally {
    c.close();
  }
}

/** Runs curl against the WebDAV frontend; fails unless it answers 2xx. */
async function dav(f: Fixture, method: string, path: string, extra: string[] = []): Promise<void> {
  const r = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-u', `${USER}:${PASS}`, '-X', method, ...extra, f.dav + path]);
  assert.ok(/^2\d\d$/.test(r.out.trim()), `${method} ${path}: ${r.out}`);
}

const put = (f: Fixture, path: string, body: string) => dav(f, 'PUT', path, ['--data-binary', body]);

/** Issues a CHANGE_NOTIFY, runs `change` once it is pending, and returns the `action:name` entries it completes with. */
async function notified(c: SmbClient, dir: string, tree: boolean, change: () => Promise<void>): Promise<string[]> {
  c.send(`notify ${dir} ${NAMES_AND_WRITES} ${tree ? 1 : 0}`);
  assert.is(await c.next(), 'pending');
  await change();
  const [word, status, ...entries] = (await c.next()).split(' ');
  assert.is(word, 'notify');
  assert.is(status, '0x00000000');
  return entries;
}

let f: Fixture;
test.before(async () => {
  f = await startAll();
});
test.after(async () => {
  await f?.stop();
});

test('a pending CHANGE_NOTIFY completes for WebDAV PUT, MOVE, DELETE and MKCOL', () =>
  withClient(f, async (c) => {
    assert.equal(await notified(c, '/', false, () => put(f, '/a.txt', 'one')), [`${ADDED}:a.txt`]);
    assert.equal(await notified(c, '/', false, () => put(f, '/a.txt', 'two')), [`${MODIFIED}:a.txt`]);
    assert.equal(await notified(c, '/', false, () => dav(f, 'MOVE', '/a.txt', ['-H', `Destination: ${f.dav}/b.txt`])), [`${OLD_NAME}:a.txt`, `${NEW_NAME}:b.txt`]);
    assert.equal(await notified(c, '/', false, () => dav(f, 'DELETE', '/b.txt')), [`${REMOVED}:b.txt`]);
    assert.equal(await notified(c, '/', false, () => dav(f, 'MKCOL', '/docs')), [`${ADDED}:docs`]);
  }));

test('WATCH_TREE sees changes below the directory; a plain watch does not', () =>
  withClient(f, async (c) => {
    await dav(f, 'MKCOL', '/tree');
    await dav(f, 'MKCOL', '/tree/sub');
    assert.equal(await notified(c, 'tree', true, () => put(f, '/tree/sub/deep.txt', 'x')), [`${ADDED}:sub\\deep.txt`]);
    // The plain watch on tree/sub must not wake for tree/top.txt, only for its own child.
    assert.equal(await notified(c, 'tree\\sub', false, async () => {
      await put(f, '/tree/top.txt', 'x');
      await put(f, '/tree/sub/own.txt', 'x');
    }), [`${ADDED}:own.txt`]);
  }));

test('a pending CHANGE_NOTIFY completes for an FTP upload', () =>
  withClient(f, async (c) => {
    const src = join(f.tmp, 'upload.txt');
    writeFileSync(src, 'via ftp');
    const entries = await notified(c, '/', false, async () => {
      const r = await run('curl', ['-sS', '-T', src, `${f.ftp.replace('ftp://', `ftp://${USER}:${encodeURIComponent(PASS)}@`)}/ftp.txt`]);
      assert.is(r.code, 0, r.out);
    });
    assert.ok(entries.includes(`${ADDED}:ftp.txt`), entries.join(' '));
  }));

test('a WebDAV write breaks an SMB batch oplock to none and an RWH lease to none', () =>
  withClient(f, async (c) => {
    await put(f, '/op.txt', 'before');
    assert.is(await c.ask('open op.txt batch'), 'granted 9 0');
    await put(f, '/op.txt', 'after');
    assert.is(await c.ask('break'), 'oplock-break 0');
    assert.is(await c.ask('close op.txt'), 'ok');

    await put(f, '/lease.txt', 'before');
    assert.is(await c.ask('open lease.txt 7'), 'granted 255 7');
    await put(f, '/lease.txt', 'after');
    assert.is(await c.ask('break'), 'lease-break 7 0 1');
    assert.is(await c.ask('close lease.txt'), 'ok');
  }));

test('a WebDAV DELETE or MOVE breaks handle caching (RH lease to R)', () =>
  withClient(f, async (c) => {
    await put(f, '/del.txt', 'x');
    assert.is(await c.ask('open del.txt 3'), 'granted 255 3');
    await dav(f, 'DELETE', '/del.txt');
    assert.is(await c.ask('break'), 'lease-break 3 1 1');
    assert.is(await c.ask('close del.txt'), 'ok');

    await put(f, '/mv.txt', 'x');
    assert.is(await c.ask('open mv.txt 3'), 'granted 255 3');
    await dav(f, 'MOVE', '/mv.txt', ['-H', `Destination: ${f.dav}/moved.txt`]);
    assert.is(await c.ask('break'), 'lease-break 3 1 1');
    assert.is(await c.ask('close mv.txt'), 'ok');
  }));

test('SMB\'s own write and flush neither break its own lease nor notify twice', () =>
  withClient(f, (watcher) =>
    withClient(f, async (writer) => {
      const created = notified(watcher, '/', false, async () => assert.is(await writer.ask('open own.txt 7'), 'granted 255 7'));
      assert.equal(await created, [`${ADDED}:own.txt`]);
      assert.is(await writer.ask('write own.txt data'), 'ok');
      assert.is(await watcher.ask(`notify / ${NAMES_AND_WRITES} 0`), `notify 0x00000000 ${MODIFIED}:own.txt`);
      // The flush commits what SMB already reported: the next notification is someone else's change.
      assert.is(await writer.ask('flush own.txt'), 'ok');
      assert.equal(await notified(watcher, '/', false, () => put(f, '/other.txt', 'x')), [`${ADDED}:other.txt`]);
      assert.is(await writer.ask('breaks'), 'breaks 0');
      assert.is(await writer.ask('close own.txt'), 'ok');
    })));

test.run();
