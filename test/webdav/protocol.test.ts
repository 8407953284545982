// WebDAV protocol behaviours through fetch against a real server: status codes, ranges, conditional
// requests, COPY/MOVE, dead properties in snapshots, locks, bad input, auth, HTTPS and metrics.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Authenticator } from '../../core/auth/authenticator.ts';
import { BasicAuth, isLoopback } from '../../protocols/webdav/auth.ts';
import { noise } from '../helpers/tree.ts';
import { withTmp } from '../helpers/tmp.ts';
import { startDav, type DavFixture } from './server-fixture.ts';

const s = suite<{ dav: DavFixture }>('webdav protocol');
s.before(async (ctx) => {
  ctx.dav = await startDav({ pageSize: 50 });
});
s.after(async (ctx) => {
  await ctx.dav?.close();
});

/** fetch that reports the network-level cause when it fails (undici hides it in `cause`). */
const fetchDebug: typeof fetch = async (url, init) => {
  try {
    return await fetch(url, init);
  } catch (err) {
    throw new Error(`fetch failed: ${String((err as Error).cause ?? err)}`);
  }
};
type Init = { headers?: Record<string, string>; body?: string | Buffer };
async function call(dav: DavFixture, method: string, path: string, init: Init = {}) {
  const res = await fetchDebug(dav.url.replace(/\/$/, '') + path, { method, headers: { Authorization: dav.authHeader, ...init.headers }, body: typeof init.body === 'string' || init.body === undefined ? init.body : new Uint8Array(init.body) });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, text: body.toString() };
}
/** The status of a GET whose path is sent exactly as given (fetch would normalise dot segments). */
function rawStatus(dav: DavFixture, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: dav.port, path, headers: { Authorization: dav.authHeader } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
const propfindBody = (props: string) => `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop>${props}</D:prop></D:propfind>`;

s('PUT 201 then 204, GET with ETag and Last-Modified, 409 without a parent, 405 onto a collection', async ({ dav }) => {
  assert.is((await call(dav, 'PUT', '/p.txt', { body: 'one' })).status, 201);
  assert.is((await call(dav, 'PUT', '/p.txt', { body: 'two!' })).status, 204);
  const g = await call(dav, 'GET', '/p.txt');
  assert.is(g.text, 'two!');
  assert.match(g.headers.get('etag') ?? '', /^"[0-9a-f-]+"$/);
  assert.ok(g.headers.get('last-modified'));
  assert.is(g.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.is((await call(dav, 'PUT', '/missing/p.txt', { body: 'x' })).status, 409);
  await call(dav, 'MKCOL', '/coll');
  assert.is((await call(dav, 'PUT', '/coll', { body: 'x' })).status, 405);
  const h = await call(dav, 'HEAD', '/p.txt');
  assert.is(h.status, 200);
  assert.is(h.headers.get('content-length'), '4');
  assert.is(h.body.length, 0);
});

s('PUT streams a 40 MiB body and GET returns the same bytes', async ({ dav }) => {
  const data = noise(40 * 1024 * 1024, 3);
  assert.is((await call(dav, 'PUT', '/big.bin', { body: data })).status, 201);
  const g = await call(dav, 'GET', '/big.bin');
  assert.is(createHash('sha256').update(g.body).digest('hex'), createHash('sha256').update(data).digest('hex'));
});

s('ranges: first bytes, suffix, open-ended, 416; conditional GET and PUT', async ({ dav }) => {
  await call(dav, 'PUT', '/r.txt', { body: '0123456789' });
  const a = await call(dav, 'GET', '/r.txt', { headers: { Range: 'bytes=2-4' } });
  assert.is(a.status, 206);
  assert.is(a.text, '234');
  assert.is(a.headers.get('content-range'), 'bytes 2-4/10');
  assert.is((await call(dav, 'GET', '/r.txt', { headers: { Range: 'bytes=-3' } })).text, '789');
  assert.is((await call(dav, 'GET', '/r.txt', { headers: { Range: 'bytes=7-' } })).text, '789');
  const bad = await call(dav, 'GET', '/r.txt', { headers: { Range: 'bytes=50-60' } });
  assert.is(bad.status, 416);
  assert.is(bad.headers.get('content-range'), 'bytes */10');
  const etag = (await call(dav, 'HEAD', '/r.txt')).headers.get('etag')!;
  assert.is((await call(dav, 'GET', '/r.txt', { headers: { 'If-None-Match': etag } })).status, 304);
  const lm = (await call(dav, 'HEAD', '/r.txt')).headers.get('last-modified')!;
  assert.is((await call(dav, 'GET', '/r.txt', { headers: { 'If-Modified-Since': lm } })).status, 304);
  assert.is((await call(dav, 'PUT', '/r.txt', { body: 'x', headers: { 'If-Match': '"nope"' } })).status, 412);
  assert.is((await call(dav, 'PUT', '/r.txt', { body: 'x', headers: { 'If-None-Match': '*' } })).status, 412);
  assert.is((await call(dav, 'PUT', '/r.txt', { body: 'new', headers: { 'If-Match': etag } })).status, 204);
});

s('MKCOL: 201, 405 when mapped, 409 without parent, 415 with a body', async ({ dav }) => {
  assert.is((await call(dav, 'MKCOL', '/m')).status, 201);
  assert.is((await call(dav, 'MKCOL', '/m')).status, 405);
  assert.is((await call(dav, 'MKCOL', '/no/such')).status, 409);
  assert.is((await call(dav, 'MKCOL', '/m2', { body: '<x/>' })).status, 415);
});

s('COPY and MOVE: 201, 204 on overwrite, 412 with Overwrite F, 502 to another server, Depth 0', async ({ dav }) => {
  await call(dav, 'MKCOL', '/cm');
  await call(dav, 'MKCOL', '/cm/sub');
  await call(dav, 'PUT', '/cm/sub/f', { body: 'deep' });
  const dest = (p: string) => ({ Destination: `${dav.url.replace(/\/$/, '')}${p}` });
  assert.is((await call(dav, 'COPY', '/cm', { headers: dest('/cm2') })).status, 201);
  assert.is((await call(dav, 'GET', '/cm2/sub/f')).text, 'deep');
  assert.is((await call(dav, 'COPY', '/cm', { headers: { ...dest('/cm2'), Overwrite: 'F' } })).status, 412);
  assert.is((await call(dav, 'COPY', '/cm', { headers: dest('/cm2') })).status, 204);
  assert.is((await call(dav, 'COPY', '/cm', { headers: { ...dest('/cm3'), Depth: '0' } })).status, 201);
  assert.is((await call(dav, 'PROPFIND', '/cm3', { headers: { Depth: '1' } })).text.match(/<D:response>/g)!.length, 1);
  assert.is((await call(dav, 'COPY', '/cm', { headers: { Destination: 'http://elsewhere.example:81/x' } })).status, 502);
  assert.is((await call(dav, 'MOVE', '/cm2', { headers: dest('/cm4') })).status, 201);
  assert.is((await call(dav, 'GET', '/cm2/sub/f')).status, 404);
  assert.is((await call(dav, 'MOVE', '/cm4', { headers: dest('/cm3') })).status, 204);
  assert.is((await call(dav, 'GET', '/cm3/sub/f')).text, 'deep');
  assert.is((await call(dav, 'COPY', '/cm', { headers: { ...dest('/cm5'), Depth: '1' } })).status, 400);
});

s('PROPFIND Depth 1 streams a collection larger than one page; quota properties; Depth infinity', async ({ dav }) => {
  await call(dav, 'MKCOL', '/many');
  for (let i = 0; i < 130; i++) await call(dav, 'PUT', `/many/f${String(i).padStart(3, '0')}`, { body: String(i) });
  const res = await call(dav, 'PROPFIND', '/many', { headers: { Depth: '1' } });
  assert.is(res.status, 207);
  assert.is(res.text.match(/<D:response>/g)!.length, 131);
  const inf = await call(dav, 'PROPFIND', '/', { headers: { Depth: 'infinity' }, body: propfindBody('<D:resourcetype/>') });
  assert.ok(inf.text.includes('/many/f129'));
  const q = await call(dav, 'PROPFIND', '/', { headers: { Depth: '0' }, body: propfindBody('<D:quota-available-bytes/><D:quota-used-bytes/>') });
  assert.match(q.text, /<D:quota-available-bytes>\d+<\/D:quota-available-bytes>/);
  assert.match(q.text, /<D:quota-used-bytes>\d+<\/D:quota-used-bytes>/);
});

s('dead properties are xattrs: PROPPATCH, PROPFIND, kept by COPY and frozen in snapshots; protected ones 403', async ({ dav }) => {
  await call(dav, 'PUT', '/dp.txt', { body: 'x' });
  const set = (v: string) => `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="http://example.com/ns"><D:set><D:prop><Z:colour>${v}</Z:colour></D:prop></D:set></D:propertyupdate>`;
  const p = await call(dav, 'PROPPATCH', '/dp.txt', { body: set('blue') });
  assert.is(p.status, 207);
  assert.match(p.text, /200 OK/);
  const xattrs = await dav.server.vfs.listxattr('/dp.txt');
  assert.equal(xattrs, ['dav:{http://example.com/ns}colour']);
  await call(dav, 'MKCOL', '/.snapshots/props1');
  await call(dav, 'PROPPATCH', '/dp.txt', { body: set('red') });
  const get = (path: string) => call(dav, 'PROPFIND', path, { headers: { Depth: '0' }, body: propfindBody('<Z:colour xmlns:Z="http://example.com/ns"/>') });
  assert.match((await get('/dp.txt')).text, />red</);
  assert.match((await get('/.snapshots/props1/dp.txt')).text, />blue</);
  await call(dav, 'COPY', '/dp.txt', { headers: { Destination: `${dav.url}dp2.txt` } });
  assert.match((await get('/dp2.txt')).text, />red</);
  const prot = await call(dav, 'PROPPATCH', '/dp.txt', { body: '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:getetag>x</D:getetag></D:prop></D:set></D:propertyupdate>' });
  assert.match(prot.text, /403 Forbidden/);
  assert.match(prot.text, /cannot-modify-protected-property/);
  const win = '<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop><Z:Win32LastModifiedTime>Sat, 12 Sep 2020 12:00:00 GMT</Z:Win32LastModifiedTime><Z:Win32FileAttributes>00000020</Z:Win32FileAttributes></D:prop></D:set></D:propertyupdate>';
  assert.match((await call(dav, 'PROPPATCH', '/dp.txt', { body: win })).text, /200 OK/);
  assert.is((await dav.server.vfs.stat('/dp.txt')).mtimeNs, BigInt(Date.parse('2020-09-12T12:00:00Z')) * 1_000_000n);
});

s('snapshots: MKCOL takes one, writes inside are 403 with a DAV:error body, reads work, DELETE removes it', async ({ dav }) => {
  await call(dav, 'PUT', '/s.txt', { body: 'v1' });
  assert.is((await call(dav, 'MKCOL', '/.snapshots/snapA')).status, 201);
  await call(dav, 'PUT', '/s.txt', { body: 'v2' });
  assert.is((await call(dav, 'GET', '/.snapshots/snapA/s.txt')).text, 'v1');
  for (const [m, p] of [['PUT', '/.snapshots/snapA/s.txt'], ['DELETE', '/.snapshots/snapA/s.txt'], ['MKCOL', '/.snapshots/snapA/d'], ['PROPPATCH', '/.snapshots/snapA/s.txt'], ['LOCK', '/.snapshots/snapA/s.txt']] as const) {
    const r = await call(dav, m, p, { body: m === 'PUT' ? 'x' : undefined });
    assert.is(r.status, 403, `${m} ${p}`);
    assert.match(r.text, /<D:error xmlns:D="DAV:"><S:snapshot-read-only/);
  }
  assert.is((await call(dav, 'MOVE', '/s.txt', { headers: { Destination: `${dav.url}.snapshots/snapA/t.txt` } })).status, 403);
  assert.is((await call(dav, 'COPY', '/.snapshots/snapA/s.txt', { headers: { Destination: `${dav.url}restored.txt` } })).status, 201);
  assert.is((await call(dav, 'GET', '/restored.txt')).text, 'v1');
  assert.is((await call(dav, 'DELETE', '/.snapshots/snapA')).status, 204);
  assert.is((await call(dav, 'GET', '/.snapshots/snapA/s.txt')).status, 404);
});

s('locks: unmapped URL creates an empty file, 423 without the token, If header submits it, refresh, UNLOCK', async ({ dav }) => {
  const lockinfo = '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>me</D:owner></D:lockinfo>';
  const l = await call(dav, 'LOCK', '/locked.txt', { body: lockinfo, headers: { Timeout: 'Second-4100000000' } });
  assert.is(l.status, 201);
  const token = /^<(.+)>$/.exec(l.headers.get('lock-token')!)![1]!;
  assert.match(l.text, /<D:timeout>Second-86400<\/D:timeout>/);
  assert.is((await call(dav, 'GET', '/locked.txt')).body.length, 0);
  assert.is((await call(dav, 'PUT', '/locked.txt', { body: 'x' })).status, 423);
  assert.is((await call(dav, 'PUT', '/locked.txt', { body: 'x', headers: { If: `(<${token}>)` } })).status, 204);
  assert.is((await call(dav, 'PUT', '/locked.txt', { body: 'x', headers: { If: `(<urn:uuid:bogus>)` } })).status, 412);
  assert.is((await call(dav, 'PUT', '/locked.txt', { body: 'y', headers: { If: `(<urn:uuid:bogus>) (Not <DAV:no-lock>)` } })).status, 423);
  const refresh = await call(dav, 'LOCK', '/locked.txt', { headers: { If: `(<${token}>)`, Timeout: 'Second-60' } });
  assert.is(refresh.status, 200);
  assert.match(refresh.text, /Second-(59|60)/);
  assert.is((await call(dav, 'LOCK', '/locked.txt', { body: lockinfo })).status, 423);
  assert.is((await call(dav, 'LOCK', '/x.txt', { body: lockinfo, headers: { Timeout: 'Second-99999999999999' } })).status, 400);
  assert.is((await call(dav, 'LOCK', '/x.txt', { body: lockinfo, headers: { Timeout: 'Minute-5' } })).status, 400);
  assert.is((await call(dav, 'UNLOCK', '/locked.txt', { headers: { 'Lock-Token': '<urn:uuid:other>' } })).status, 409);
  assert.is((await call(dav, 'UNLOCK', '/locked.txt', { headers: { 'Lock-Token': `<${token}>` } })).status, 204);
  assert.is((await call(dav, 'PUT', '/locked.txt', { body: 'free' })).status, 204);
});

s('bad input: malformed XML, entity expansion, huge XML body, traversal, bad UTF-8, absurd Depth, bad If — all 4xx', async ({ dav }) => {
  const laughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><D:propfind xmlns:D="DAV:"><D:prop><x>&lol1;</x></D:prop></D:propfind>';
  assert.is((await call(dav, 'PROPFIND', '/', { body: laughs })).status, 400);
  assert.is((await call(dav, 'PROPFIND', '/', { body: '<D:propfind xmlns:D="DAV:"><D:prop>' })).status, 400);
  assert.is((await call(dav, 'PROPPATCH', '/', { body: 'not xml at all' })).status, 400);
  assert.is((await call(dav, 'PROPFIND', '/', { body: '<x>' + 'a'.repeat(2 * 1024 * 1024) + '</x>' })).status, 413);
  assert.is((await call(dav, 'PROPFIND', '/', { headers: { Depth: '2' } })).status, 400);
  for (const p of ['/%2e%2e/%2e%2e/etc/passwd', '/../../etc/passwd', '/a/%2E%2E/b', '/./x']) assert.is(await rawStatus(dav, p), 400, p);
  assert.is((await call(dav, 'GET', '/a%2fb')).status, 400);
  assert.is((await call(dav, 'GET', '/%C3%28')).status, 400);
  assert.is((await call(dav, 'PUT', '/ok.txt', { body: 'x', headers: { If: '(<unterminated' } })).status, 400);
  assert.is((await call(dav, 'REPORT', '/')).status, 405);
  assert.is((await call(dav, 'GET', '/')).status, 200);
});

s('auth: 401 with a Basic challenge; Basic over plain HTTP refused off loopback unless allowed', async ({ dav }) => {
  const res = await fetch(dav.url, { method: 'PROPFIND' });
  assert.is(res.status, 401);
  assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm="strata"/);
  const wrong = await fetch(dav.url, { headers: { Authorization: 'Basic ' + Buffer.from('dav:wrong').toString('base64') } });
  assert.is(wrong.status, 401);
  assert.ok(isLoopback('127.0.0.1') && isLoopback('127.8.9.1') && isLoopback('::1') && isLoopback('::ffff:127.0.0.1'));
  assert.not.ok(isLoopback('10.0.0.5') || isLoopback('::ffff:192.0.2.1') || isLoopback(undefined));
  const authn = new Authenticator(null, [{ name: 'u', password: 'p', home: '/', readOnly: false, snapshotCreate: false, snapshotDelete: false }]);
  const fake = { headers: { authorization: 'Basic ' + Buffer.from('u:p').toString('base64') }, socket: { remoteAddress: '192.0.2.7' } } as unknown as IncomingMessage;
  await new BasicAuth(authn, { tls: false, allowBasicOverHttp: false }).userOf(fake).then(
    () => assert.unreachable('Basic over plain HTTP from a remote address must be refused'),
    (err: { status: number }) => assert.is(err.status, 403),
  );
  assert.is((await new BasicAuth(authn, { tls: false, allowBasicOverHttp: true }).userOf(fake)).name, 'u');
  assert.is((await new BasicAuth(authn, { tls: true, allowBasicOverHttp: false }).userOf(fake)).name, 'u');
});

s('Expect: 100-continue — a refused upload is refused before its body is sent', async ({ dav }) => {
  const attempt = (auth: string, path: string) =>
    new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = httpRequest({ host: '127.0.0.1', port: dav.port, method: 'PUT', path, headers: { Authorization: auth, Expect: '100-continue', 'Content-Length': 5 } });
      req.on('continue', () => {
        continued = true;
        req.end('hello');
      });
      req.on('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, continued });
      });
      req.on('error', reject);
    });
  assert.equal(await attempt('Basic ' + Buffer.from('dav:wrong').toString('base64'), '/e.txt'), { status: 401, continued: false });
  assert.equal(await attempt(dav.authHeader, '/no/parent.txt'), { status: 409, continued: false });
  assert.equal(await attempt(dav.authHeader, '/e.txt'), { status: 201, continued: true });
});

s('every request has an id and one metrics event', async ({ dav }) => {
  const before = dav.events.length;
  const r = await call(dav, 'GET', '/nope');
  assert.is(r.status, 404);
  assert.match(r.headers.get('x-request-id') ?? '', /^[0-9a-f]{12}$/);
  await new Promise((res) => setTimeout(res, 20));
  const ev = dav.events.slice(before);
  assert.is(ev.length, 1);
  assert.equal({ protocol: ev[0]!.protocol, op: ev[0]!.op, ok: ev[0]!.ok }, { protocol: 'webdav', op: 'GET', ok: false });
});

s('HTTPS with a certificate given as files', async () => {
  await withTmp(async (dir) => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    const dav = await startDav({ tls: { cert, key: readFileSync(key, 'utf8') } });
    try {
      assert.match(dav.url, /^https:/);
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpsRequest(dav.url, { method: 'OPTIONS', rejectUnauthorized: false, headers: { Authorization: dav.authHeader } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      assert.is(status, 200);
    } finally {
      await dav.close();
    }
  });
});

s.run();
