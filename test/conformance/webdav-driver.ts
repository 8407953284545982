// The conformance driver for the WebDAV frontend: a real HTTP client (node's fetch/undici) speaking
// WebDAV to the server over loopback. Statuses map to the nearest Vfs code.
import type { CodedError, FsClient, Kind } from './client.ts';

const STATUS_CODES: Record<number, string> = {
  400: 'EINVAL', 401: 'EACCES', 403: 'EACCES', 404: 'ENOENT', 405: 'EEXIST', 409: 'ENOENT', 412: 'EEXIST',
  414: 'ENAMETOOLONG', 423: 'EBUSY', 500: 'EIO', 502: 'EXDEV', 507: 'ENOSPC',
};

function fail(op: string, path: string, status: number, body: string): CodedError {
  let code = STATUS_CODES[status] ?? 'EIO';
  if (status === 403 && body.includes('snapshot-read-only')) code = 'EROFS';
  const err = new Error(`${op} ${path}: HTTP ${status} ${body.slice(0, 120)}`) as CodedError;
  err.code = code;
  return err;
}

/** The href path of a share path, each segment percent-encoded. */
function enc(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

interface Entry {
  path: string;
  kind: Kind;
  size: number;
  mtimeMs: number;
}

function parseMultistatus(xml: string): Entry[] {
  const out: Entry[] = [];
  for (const m of xml.matchAll(/<D:response>([\s\S]*?)<\/D:response>/g)) {
    const body = m[1]!;
    const href = /<D:href>([^<]*)<\/D:href>/.exec(body)![1]!.replace(/&amp;/g, '&').replace(/&apos;/g, "'").replace(/&quot;/g, '"');
    const path = decodeURIComponent(href).replace(/\/$/, '') || '/';
    const dir = body.includes('<D:collection/>');
    const size = Number(/<D:getcontentlength>(\d+)</.exec(body)?.[1] ?? 0);
    const mtime = Date.parse(/<D:getlastmodified>([^<]*)</.exec(body)?.[1] ?? '');
    out.push({ path, kind: dir ? 'dir' : 'file', size, mtimeMs: mtime });
  }
  return out;
}

/** An FsClient over WebDAV at `base` (http://host:port) with Basic credentials. */
export function webdavClient(base: string, user: string, pass: string): FsClient {
  const auth = 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
  const req = async (method: string, path: string, init: { headers?: Record<string, string>; body?: Buffer | string } = {}) => {
    const res = await fetch(base.replace(/\/$/, '') + enc(path), { method, headers: { Authorization: auth, ...init.headers }, body: typeof init.body === 'string' || init.body === undefined ? init.body : new Uint8Array(init.body) });
    const buf = Buffer.from(await res.arrayBuffer());
    return { status: res.status, buf };
  };
  const ok = async (op: string, path: string, r: Promise<{ status: number; buf: Buffer }>) => {
    const { status, buf } = await r;
    if (status >= 300) throw fail(op, path, status, buf.toString());
    return buf;
  };
  const propfind = async (path: string, depth: '0' | '1') => parseMultistatus((await ok('PROPFIND', path, req('PROPFIND', path, { headers: { Depth: depth } }))).toString());
  return {
    name: 'webdav',
    caps: { randomWrite: false, symlinks: false, attributes: false, exactErrors: false, concurrentHandles: false },
    writeFile: async (p, data) => {
      await ok('PUT', p, req('PUT', p, { body: data }));
    },
    readFile: async (p) => ok('GET', p, req('GET', p)),
    mkdir: async (p) => {
      await ok('MKCOL', p, req('MKCOL', p));
    },
    rmdir: async (p) => {
      const entries = await propfind(p, '1');
      if (entries[0]?.kind !== 'dir') throw Object.assign(new Error(`rmdir ${p}: not a collection`), { code: 'ENOTDIR' });
      if (entries.length > 1) throw Object.assign(new Error(`rmdir ${p}: not empty`), { code: 'ENOTEMPTY' });
      await ok('DELETE', p, req('DELETE', p));
    },
    unlink: async (p) => {
      const [e] = await propfind(p, '0');
      if (e?.kind === 'dir') throw Object.assign(new Error(`unlink ${p}: is a collection`), { code: 'EISDIR' });
      await ok('DELETE', p, req('DELETE', p));
    },
    rename: async (a, b) => {
      await ok('MOVE', a, req('MOVE', a, { headers: { Destination: base.replace(/\/$/, '') + enc(b), Overwrite: 'T' } }));
    },
    list: async (p) => (await propfind(p, '1')).slice(1).map((e) => e.path.slice(e.path.lastIndexOf('/') + 1)),
    stat: async (p) => {
      const [e] = await propfind(p, '0');
      if (!e) throw Object.assign(new Error(`stat ${p}: empty multistatus`), { code: 'EIO' });
      return { kind: e.kind, size: e.size, mtimeMs: e.mtimeMs };
    },
  };
}
