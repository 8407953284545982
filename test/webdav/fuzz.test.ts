// Fuzz-style robustness: a few thousand malformed requests over raw TCP (random methods, paths,
// headers and bodies, seeded so failures reproduce); the server must answer each one with an HTTP
// status and still serve normal requests afterwards.
import { connect } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startDav } from './server-fixture.ts';

const REQUESTS = 2500;
const PARALLEL = 16;

/** A small seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'MKCOL', 'COPY', 'MOVE', 'PROPFIND', 'PROPPATCH', 'LOCK', 'UNLOCK', 'OPTIONS', 'POST', 'PATCH', 'REPORT', 'SEARCH', 'BREW', 'G\tET', ''];
const PATHS = ['/', '/a', '/a/b/c', '/%2e%2e/%2e%2e/etc/passwd', '/../../x', '/%ff%fe%00', '/%', '/%zz', '/a%2fb', '/.snapshots/', '/.snapshots/x/y', '/' + 'n'.repeat(300), '/' + 'd/'.repeat(600), '*', 'http://other.example/x', '/ü☃', '/a?b=c#frag', '/%00', '//double//slash'];
const HEADERS = [
  'Depth: 0', 'Depth: 1', 'Depth: infinity', 'Depth: -1', 'Depth: 99999999999', 'Timeout: Second-abc', 'Timeout: Infinite, Second-4100000000', 'Timeout: ' + '9'.repeat(400),
  'If: (<urn:uuid:x>)', 'If: (Not <DAV:no-lock>)', 'If: <http://x/y> ([etag])', 'If: ((((', 'If: (<', 'If: ()', 'If: [x]', 'Overwrite: X', 'Overwrite: F', 'Destination: http://127.0.0.1/b',
  'Destination: %%%', 'Destination: /c', 'Range: bytes=0-0', 'Range: bytes=-0', 'Range: bytes=9-1', 'Range: bytes=a-b', 'Range: bytes=0-1,2-3', 'If-Match: *', 'If-None-Match: "x"',
  'If-Modified-Since: yesterday', 'Lock-Token: <x>', 'Lock-Token: nope', 'Content-Type: text/xml', 'Authorization: Basic !!!', 'Authorization: Bearer x', 'Authorization: Basic ' + Buffer.from('nouser').toString('base64'),
  'X-Junk: ' + 'j'.repeat(2000), 'Expect: 100-continue',
];
const BODIES = [
  '', '<', '<?xml version="1.0"?>', '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>', '<D:propfind xmlns:D="DAV:"><D:prop><x:y xmlns:x="u"/></D:prop></D:propfind>',
  '<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>', '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><Z:p xmlns:Z="z">v</Z:p></D:prop></D:set></D:propertyupdate>',
  '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>', '<D:lockinfo xmlns:D="DAV:"/>', '\u0000\u0001\u0002', '<a xmlns:p="x"><p:b/><q:c/></a>',
  '<a>' + '<b>'.repeat(500) + '</a>', '\xff\xfe\xfd', 'plain text body',
];

function pick<T>(r: () => number, list: T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

/** One random request as raw bytes (always with a correct Content-Length, or pure garbage). */
function randomRequest(r: () => number, auth: string): Buffer {
  if (r() < 0.08) {
    const junk = Buffer.alloc(1 + Math.floor(r() * 200));
    for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(r() * 256);
    return Buffer.concat([junk, Buffer.from('\r\n\r\n')]);
  }
  const body = Buffer.from(pick(r, BODIES), 'latin1');
  const headers = [`Host: 127.0.0.1`, 'Connection: close'];
  if (r() < 0.9) headers.push(`Authorization: ${auth}`);
  const n = Math.floor(r() * 4);
  for (let i = 0; i < n; i++) headers.push(pick(r, HEADERS));
  headers.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${pick(r, METHODS)} ${pick(r, PATHS)} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/** Sends raw bytes and resolves with the first line of the answer ('' when the server just closed). */
function exchange(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer within 10 s to ${JSON.stringify(bytes.subarray(0, 120).toString('latin1'))}`));
    }, 10_000);
    sock.on('data', (d) => (got += d.toString('latin1')));
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(got.split('\r\n')[0] ?? '');
    });
    sock.write(bytes);
  });
}

test(`fuzz: ${REQUESTS} malformed requests all answered, server healthy afterwards`, async () => {
  const dav = await startDav();
  try {
    await fetch(`${dav.url}a`, { method: 'MKCOL', headers: { Authorization: dav.authHeader } });
    const r = rng(20261125);
    const requests = Array.from({ length: REQUESTS }, () => randomRequest(r, dav.authHeader));
    const statuses = new Map<string, number>();
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const req = requests[next++]!;
        const line = await exchange(dav.port, req);
        assert.match(line, /^HTTP\/1\.1 \d{3} /, `no HTTP answer to ${JSON.stringify(req.subarray(0, 600).toString('latin1'))}`);
        const status = line.slice(9, 12);
        assert.not.ok(status.startsWith('5'), `5xx for ${JSON.stringify(req.subarray(0, 200).toString('latin1'))}: ${line}`);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    assert.ok((statuses.get('400') ?? 0) > 100, JSON.stringify([...statuses]));
    const ok = await fetch(`${dav.url}health.txt`, { method: 'PUT', body: 'fine', headers: { Authorization: dav.authHeader } });
    assert.is(ok.status, 201);
    assert.is(await (await fetch(`${dav.url}health.txt`, { headers: { Authorization: dav.authHeader } })).text(), 'fine');
  } finally {
    await dav.close();
  }
});

test.run();
