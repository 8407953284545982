// LOCK (RFC 4918 §9.10): exclusive and shared write locks at Depth 0 or infinity, Timeout parsed and
// capped, refresh through the If header, and LOCK on an unmapped URL creating an empty file (§7.3).
import type { Element } from '@xmldom/xmldom';
import { HttpError } from './errors.ts';
import type { LockDepth, LockScope } from './locks.ts';
import { hrefOf, parentOf } from './paths.ts';
import { activeLockXml } from './props.ts';
import { assertUnlocked, header, lockPath, send, sharePath, statOrNull, tokensOf, type DavRequest } from './request.ts';
import { childElements, davChild, escapeXml, isDav, parseXml, readBody, serializeElement } from './xml.ts';

/** Parses a Timeout header into seconds (capped at `max`); 400 for values that are not Infinite or Second-N. */
export function parseTimeout(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return Math.min(fallback, max);
  const items = value.split(',').map((s) => s.trim());
  let chosen: number | null = null;
  for (const it of items) {
    if (/^infinite$/i.test(it)) chosen ??= max;
    else {
      const m = /^second-(\d{1,10})$/i.exec(it);
      if (!m) throw new HttpError(400, `invalid Timeout '${value.slice(0, 80)}'`);
      chosen ??= Number(m[1]);
    }
  }
  if (chosen === null) throw new HttpError(400, 'empty Timeout');
  return Math.max(1, Math.min(chosen, max));
}

function parseLockDepth(r: DavRequest): LockDepth {
  const v = header(r, 'depth')?.trim().toLowerCase();
  if (v === undefined || v === 'infinity') return 'infinity';
  if (v === '0') return 0;
  throw new HttpError(400, `LOCK does not take Depth: ${v}`);
}

function parseLockInfo(root: Element): { scope: LockScope; owner: string } {
  if (!isDav(root, 'lockinfo')) throw new HttpError(400, 'expected DAV:lockinfo');
  const scopeEl = davChild(root, 'lockscope');
  const typeEl = davChild(root, 'locktype');
  if (!scopeEl || !typeEl) throw new HttpError(400, 'DAV:lockinfo needs lockscope and locktype');
  const scope = childElements(scopeEl).find((e) => isDav(e, 'exclusive') || isDav(e, 'shared'))?.localName as LockScope | undefined;
  if (!scope) throw new HttpError(400, 'unknown lock scope');
  if (!childElements(typeEl).some((e) => isDav(e, 'write'))) throw new HttpError(422, 'only write locks are supported');
  const owner = davChild(root, 'owner');
  return { scope, owner: owner ? serializeElement(owner) : '' };
}

function sendLock(r: DavRequest, status: number, xml: string, token?: string): void {
  const body = `<?xml version="1.0" encoding="utf-8"?>\n<D:prop xmlns:D="DAV:"><D:lockdiscovery>${xml}</D:lockdiscovery></D:prop>\n`;
  send(r, status, body, token ? { 'Lock-Token': `<${token}>` } : {}, 'application/xml; charset=utf-8');
}

/** Refreshes the lock named in the If header that covers the request URI. */
function refresh(r: DavRequest): void {
  const abs = lockPath(r, r.path);
  const covering = new Set(r.locks.covering(abs).map((l) => l.token));
  const token = [...tokensOf(r)].find((t) => covering.has(t));
  if (!token) throw new HttpError(412, 'no lock of this resource was named in the If header', '<D:lock-token-matches-request-uri/>');
  const lock = r.locks.get(token)!;
  if (lock.principal !== r.user.name) throw new HttpError(403, 'the lock belongs to another user');
  r.locks.refresh(lock, parseTimeout(header(r, 'timeout'), r.settings.defaultLockSeconds, r.settings.maxLockSeconds));
  sendLock(r, 200, activeLockXml(r, lock));
}

/** Handles LOCK. */
export async function handleLock(r: DavRequest): Promise<void> {
  const body = await readBody(r.req);
  r.bytesIn += body.length;
  const doc = parseXml(body);
  if (!doc) return refresh(r);
  const info = parseLockInfo(doc.documentElement!);
  const depth = parseLockDepth(r);
  const timeoutSec = parseTimeout(header(r, 'timeout'), r.settings.defaultLockSeconds, r.settings.maxLockSeconds);
  const req = { root: lockPath(r, r.path), depth, scope: info.scope, owner: info.owner, principal: r.user.name, timeoutSec };
  const conflict = r.locks.conflicts(req)[0];
  if (conflict) throw new HttpError(423, 'a conflicting lock exists', `<D:no-conflicting-lock><D:href>${escapeXml(hrefOf(sharePath(r, conflict.root), false))}</D:href></D:no-conflicting-lock>`);
  const existing = await statOrNull(r.vfs, r.path);
  if (!existing) {
    const parent = await statOrNull(r.vfs, parentOf(r.path));
    if (!parent || parent.kind !== 'dir') throw new HttpError(409, 'the parent collection does not exist');
    assertUnlocked(r, { path: r.path, membership: true });
    await r.vfs.writeFile(r.path, new Uint8Array(0), { exclusive: true });
  }
  const lock = r.locks.create(req);
  sendLock(r, existing ? 200 : 201, activeLockXml(r, lock), lock.token);
}
