// The WebDAV server: node:http or node:https, one request id and one metrics event per request,
// authentication, URL decoding, the If header, the snapshot write guard, and dispatch to the
// per-method handlers. Every handler error becomes a clear status; nothing thrown reaches node.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { Socket } from 'node:net';
import type { FrontendContext, ListenAddress, RunningFrontend } from '../frontend.ts';
import { BasicAuth } from './auth.ts';
import { handleCopyMove } from './copy-move.ts';
import { handleDelete } from './delete.ts';
import { HttpError, toHttpError } from './errors.ts';
import { handleGet } from './get.ts';
import { parseIf } from './if-header.ts';
import { handleLock } from './lock.ts';
import { lockFile } from './lock-file.ts';
import { LockManager } from './locks.ts';
import { handleMkcol } from './mkcol.ts';
import { ALLOWED_METHODS, handleOptions } from './options.ts';
import { decodeTarget, inSnapshots } from './paths.ts';
import { handlePropfind } from './propfind.ts';
import { handleProppatch } from './proppatch.ts';
import { handlePut } from './put.ts';
import { checkIfHeader, continueIfExpected, header, sendError, type DavRequest, type DavSettings, type Handler } from './request.ts';
import { handleUnlock } from './unlock.ts';

/** Options of the WebDAV frontend (all but `listen` optional). */
export interface WebdavOptions {
  listen: ListenAddress;
  /** Serve HTTPS: certificate and key as file paths or PEM text. */
  tls?: { cert: string; key: string };
  /** Accept Basic credentials over plain HTTP from non-loopback clients (default false). */
  allowBasicOverHttp?: boolean;
  /** Longest lock timeout granted, seconds (default 86400). */
  maxLockSeconds?: number;
  /** Lock timeout when the client names none, seconds (default 3600). */
  defaultLockSeconds?: number;
  /** Entries per directory page (default 1000). */
  pageSize?: number;
}

const HANDLERS: Record<string, Handler> = {
  OPTIONS: handleOptions,
  GET: handleGet,
  HEAD: handleGet,
  PUT: handlePut,
  DELETE: handleDelete,
  MKCOL: handleMkcol,
  COPY: handleCopyMove,
  MOVE: handleCopyMove,
  PROPFIND: handlePropfind,
  PROPPATCH: handleProppatch,
  LOCK: handleLock,
  UNLOCK: handleUnlock,
};

const SNAPSHOT_ROOT = /^\/\.snapshots\/[^/]+$/;

/** The file in the archive directory that keeps the locks across restarts. */
const LOCKS_FILE = 'webdav-locks.json';

/** Refuses writes into /.snapshots before any work is done (taking and deleting a snapshot excepted). */
function guardSnapshots(r: DavRequest, destination: string | null): void {
  const refuse = () => new HttpError(403, 'snapshots are read-only', '<S:snapshot-read-only xmlns:S="urn:x-strata:"/>');
  const m = r.method;
  if ((m === 'PUT' || m === 'PROPPATCH' || m === 'LOCK') && inSnapshots(r.path)) throw refuse();
  if ((m === 'MKCOL' || m === 'DELETE') && inSnapshots(r.path) && !SNAPSHOT_ROOT.test(r.path)) throw refuse();
  if (m === 'MOVE' && inSnapshots(r.path)) throw refuse();
  if ((m === 'MOVE' || m === 'COPY') && destination !== null && inSnapshots(destination)) throw refuse();
}

function pem(value: string): string | Buffer {
  return value.includes('-----BEGIN') ? value : readFileSync(value);
}

/** Starts the WebDAV frontend. */
export async function startWebdav(ctx: FrontendContext, opts: WebdavOptions): Promise<RunningFrontend> {
  const settings: DavSettings = {
    maxLockSeconds: opts.maxLockSeconds ?? 86_400,
    defaultLockSeconds: opts.defaultLockSeconds ?? 3600,
    pageSize: opts.pageSize ?? 1000,
  };
  const tls = opts.tls !== undefined;
  const auth = new BasicAuth(ctx.auth, { tls, allowBasicOverHttp: opts.allowBasicOverHttp ?? false });
  const locks = new LockManager(Date.now, lockFile(ctx.runtimePath(LOCKS_FILE), ctx.log));
  const serverOpts = { requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 5_000, maxHeaderSize: 16 * 1024 };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => void serve(ctx, auth, locks, settings, req, res);
  const server: Server = tls ? createHttps({ ...serverOpts, cert: pem(opts.tls!.cert), key: pem(opts.tls!.key) }, onRequest) : createHttp(serverOpts, onRequest);
  // `Expect: 100-continue`: 100 is sent only once auth, the If header, the snapshot guard (and for
  // PUT the parent, lock and precondition checks) passed, so a refused upload never sends its body
  server.on('checkContinue', onRequest);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.listen.port, opts.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.listen.port;
  const host = opts.listen.host.includes(':') ? `[${opts.listen.host}]` : opts.listen.host;
  return {
    name: 'webdav',
    urls: [`${tls ? 'https' : 'http'}://${host}:${port}/`],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 3000).unref();
      }),
  };
}

const ID_SPACE = 2 ** 48;
let idBase = randomBytes(6).readUIntBE(0, 6);

/** A request id (12 hex digits) unique in this process: a random start counted up, cheaper than 6 random bytes a request. */
function nextRequestId(): string {
  idBase = (idBase + 1) % ID_SPACE;
  return idBase.toString(16).padStart(12, '0');
}

/** Serves one request from start to finish. */
async function serve(ctx: FrontendContext, auth: BasicAuth, locks: LockManager, settings: DavSettings, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = process.hrtime.bigint();
  const id = nextRequestId();
  const method = (req.method ?? 'GET').toUpperCase();
  res.setHeader('X-Request-Id', id);
  const r = { req, res, id, method, locks, settings, bytesIn: 0, bytesOut: 0, ifLists: null, path: '/', trailingSlash: false } as unknown as DavRequest;
  let failure: string | undefined;
  res.once('close', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const ok = res.writableFinished && res.statusCode < 400;
    ctx.observe({ protocol: 'webdav', op: method, ok, ...(ok ? {} : { error: failure ?? String(res.statusCode) }), seconds, bytesIn: r.bytesIn, bytesOut: r.bytesOut });
    ctx.log.debug({ req: id, method, url: req.url, status: res.statusCode, seconds }, 'request');
  });
  try {
    const handler = HANDLERS[method];
    if (!handler) throw new HttpError(405, `method ${method.slice(0, 20)} is not supported`);
    const user = await auth.userOf(req);
    r.user = user;
    r.vfs = ctx.vfsFor(user);
    if (method === 'OPTIONS' && req.url === '*') return await handleOptions(r);
    const target = decodeTarget(req.url ?? '/');
    r.path = target.path;
    r.trailingSlash = target.trailingSlash;
    const ifHeader = header(r, 'if');
    if (ifHeader !== undefined) r.ifLists = parseIf(ifHeader);
    const dest = header(r, 'destination');
    guardSnapshots(r, dest && (method === 'COPY' || method === 'MOVE') ? decodeTarget(dest).path : null);
    await checkIfHeader(r);
    if (method !== 'PUT') continueIfExpected(r);
    await handler(r);
  } catch (err) {
    const e = toHttpError(err, method);
    failure = (err as { code?: string }).code ?? String(e.status);
    if (e.status === 500) ctx.log.error({ req: id, err, method, url: req.url }, 'request failed');
    else ctx.log.debug({ req: id, status: e.status, msg: e.message, method, url: req.url }, 'request refused');
    if (e.status === 499) res.destroy();
    else {
      if (e.status === 405) res.setHeader('Allow', ALLOWED_METHODS);
      sendError(r, e);
    }
  }
}
