// The per-request context every method handler gets, with the helpers they share: stat-or-null,
// ETags, answering, the If header check and lock enforcement.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { User } from '../../core/auth/user.ts';
import { isVfsError } from '../../core/errors.ts';
import type { Stat, Vfs } from '../../core/vfs/types.ts';
import { HttpError } from './errors.ts';
import { evaluateIf, submittedTokens, type IfList, type ResourceState } from './if-header.ts';
import type { Lock, LockManager } from './locks.ts';
import { hrefOf, isWithin, parentOf } from './paths.ts';
import { errorBody, escapeXml } from './xml.ts';

/** Options of the WebDAV frontend after defaults. */
export interface DavSettings {
  /** Longest lock timeout granted, in seconds. */
  maxLockSeconds: number;
  /** Lock timeout when the client asks for none, in seconds. */
  defaultLockSeconds: number;
  /** Entries per Vfs readdir page when streaming PROPFIND and listings. */
  pageSize: number;
}

/** One request being served. */
export interface DavRequest {
  req: IncomingMessage;
  res: ServerResponse;
  id: string;
  method: string;
  vfs: Vfs;
  user: User;
  /** The decoded share path of the request URI. */
  path: string;
  trailingSlash: boolean;
  locks: LockManager;
  settings: DavSettings;
  /** Bytes of request and response bodies, for metrics. */
  bytesIn: number;
  bytesOut: number;
  /** The parsed If header, when present. */
  ifLists: IfList[] | null;
}

/** A method handler. */
export type Handler = (r: DavRequest) => Promise<void>;

/** The stat of `path`, or null when it does not exist (other errors propagate). */
export async function statOrNull(vfs: Vfs, path: string): Promise<Stat | null> {
  try {
    return await vfs.stat(path);
  } catch (err) {
    if (isVfsError(err, 'ENOENT') || isVfsError(err, 'ENOTDIR')) return null;
    throw err;
  }
}

/** The strong ETag of an entry: inode, size and mtime. */
export function etagOf(s: Stat): string {
  return `"${s.ino.toString(16)}-${s.size.toString(16)}-${s.mtimeNs.toString(16)}"`;
}

/** True for directories (collections). */
export function isCollection(s: Stat): boolean {
  return s.kind === 'dir';
}

/** The absolute archive path (lock key) of a share path. */
export function lockPath(r: DavRequest, path: string): string {
  const home = r.user.home.replace(/\/+$/, '');
  return path === '/' ? home || '/' : home + path;
}

/** The share path of an absolute lock path (the inverse of `lockPath`). */
export function sharePath(r: DavRequest, abs: string): string {
  const home = r.user.home.replace(/\/+$/, '');
  return abs.slice(home.length) || '/';
}

/** Writes `body` with `status` and content type, counting bytes. */
export function send(r: DavRequest, status: number, body = '', headers: Record<string, string | number> = {}, type = 'text/plain; charset=utf-8'): void {
  const buf = Buffer.from(body);
  r.res.writeHead(status, { ...(buf.length > 0 || status >= 400 ? { 'Content-Type': type } : {}), 'Content-Length': buf.length, ...headers });
  r.bytesOut += buf.length;
  r.res.end(r.method === 'HEAD' ? undefined : buf);
}

/** Answers an error: a DAV:error body when there is a condition, else a short text. */
export function sendError(r: DavRequest, err: HttpError): void {
  if (r.res.headersSent) {
    if (!r.res.writableEnded) r.res.destroy();
    return;
  }
  const extra: Record<string, string> = err.status === 401 ? { 'WWW-Authenticate': 'Basic realm="strata", charset="UTF-8"' } : {};
  if (err.condition) send(r, err.status, errorBody(err.condition), extra, 'application/xml; charset=utf-8');
  else send(r, err.status, `${err.status} ${err.message}\n`, extra);
}

/** The state of `path` for If header conditions. */
async function resourceState(r: DavRequest, path: string): Promise<ResourceState> {
  const s = await statOrNull(r.vfs, path).catch(() => null);
  return { etag: s ? etagOf(s) : null, lockTokens: new Set(r.locks.covering(lockPath(r, path)).map((l) => l.token)) };
}

/** Checks the If header (when present): 412 when it evaluates false. */
export async function checkIfHeader(r: DavRequest): Promise<void> {
  if (!r.ifLists) return;
  if (!(await evaluateIf(r.ifLists, r.path, (p) => resourceState(r, p)))) throw new HttpError(412, 'the If header did not match');
}

/** The lock tokens the request submits in its If header. */
export function tokensOf(r: DavRequest): Set<string> {
  return r.ifLists ? submittedTokens(r.ifLists) : new Set();
}

/** What a write touches: `path` itself, everything below it when `deep`, and its parent's membership when `membership`. */
export interface WriteScope {
  path: string;
  deep?: boolean;
  membership?: boolean;
}

/** Throws 423 unless the request submitted the token of every lock guarding the scopes. */
export function assertUnlocked(r: DavRequest, ...scopes: WriteScope[]): void {
  const tokens = tokensOf(r);
  for (const sc of scopes) {
    const abs = lockPath(r, sc.path);
    const guards: Lock[] = [...r.locks.covering(abs)];
    if (sc.deep) guards.push(...r.locks.below(abs));
    if (sc.membership && sc.path !== '/') guards.push(...r.locks.rootedAt(lockPath(r, parentOf(sc.path))).filter((l) => l.depth === 0));
    const blocking = guards.find((l) => !tokens.has(l.token) || l.principal !== r.user.name);
    if (blocking) {
      const root = sharePath(r, blocking.root);
      throw new HttpError(423, `locked: ${root}`, `<D:lock-token-submitted><D:href>${escapeXml(hrefOf(root, isWithin(sc.path, root) && root !== sc.path))}</D:href></D:lock-token-submitted>`);
    }
  }
}

/** A request header as one string (repeated headers joined with ', '), or undefined. */
export function header(r: DavRequest, name: string): string | undefined {
  const v = r.req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Sends `100 Continue` when the client waits for it (`Expect: 100-continue`). */
export function continueIfExpected(r: DavRequest): void {
  if (/100-continue/i.test(header(r, 'expect') ?? '')) r.res.writeContinue();
}
