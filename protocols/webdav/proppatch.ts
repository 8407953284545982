// PROPPATCH (RFC 4918 §9.2): sets and removes dead properties, stored as xattrs on the entry, all
// or nothing per request (earlier changes are rolled back when one fails); 207 with a status per
// property. Windows' Win32 times are accepted, and Win32LastModifiedTime also sets the mtime.
import type { Element } from '@xmldom/xmldom';
import { isVfsError } from '../../core/errors.ts';
import { HttpError, toHttpError } from './errors.ts';
import { sendMultistatus, statusLine } from './multistatus.ts';
import { hrefOf } from './paths.ts';
import { deadXattr, LIVE } from './props.ts';
import { assertUnlocked, type DavRequest } from './request.ts';
import { childElements, emptyProp, escapeXml, isDav, parseXml, propKey, readBody, serializeElement } from './xml.ts';

/** One change asked for, in document order. */
interface Change {
  op: 'set' | 'remove';
  key: string;
  xml: string;
}

const WIN32_MTIME = '{urn:schemas-microsoft-com:}Win32LastModifiedTime';

function parseChanges(root: Element): Change[] {
  if (!isDav(root, 'propertyupdate')) throw new HttpError(400, 'expected DAV:propertyupdate');
  const out: Change[] = [];
  for (const op of childElements(root)) {
    const kind = isDav(op, 'set') ? 'set' : isDav(op, 'remove') ? 'remove' : null;
    if (!kind) continue;
    for (const prop of childElements(op).filter((e) => isDav(e, 'prop'))) {
      for (const p of childElements(prop)) out.push({ op: kind, key: propKey(p), xml: serializeElement(p) });
    }
  }
  if (out.length === 0) throw new HttpError(400, 'DAV:propertyupdate changes nothing');
  return out;
}

function nameXml(key: string): string {
  return key.startsWith('{DAV:}') ? `<D:${key.slice(6)}/>` : emptyProp(key);
}

function answer(r: DavRequest, statuses: Map<string, { status: number; condition?: string }>): void {
  const groups = new Map<string, string[]>();
  for (const [key, s] of statuses) {
    const g = `${s.status}|${s.condition ?? ''}`;
    groups.set(g, [...(groups.get(g) ?? []), nameXml(key)]);
  }
  let body = `<D:response><D:href>${escapeXml(hrefOf(r.path, r.trailingSlash))}</D:href>`;
  for (const [g, names] of groups) {
    const [status, condition] = g.split('|') as [string, string];
    body += `<D:propstat><D:prop>${names.join('')}</D:prop><D:status>${statusLine(Number(status))}</D:status>${condition ? `<D:error>${condition}</D:error>` : ''}</D:propstat>`;
  }
  sendMultistatus(r, [body + '</D:response>\n']);
}

async function previous(r: DavRequest, key: string): Promise<Buffer | undefined> {
  try {
    return await r.vfs.getxattr(r.path, deadXattr(key));
  } catch (err) {
    if (isVfsError(err, 'ENODATA')) return undefined;
    throw err;
  }
}

async function restore(r: DavRequest, saved: Map<string, Buffer | undefined>): Promise<void> {
  for (const [key, value] of saved) {
    if (value === undefined) await r.vfs.removexattr(r.path, deadXattr(key)).catch(() => {});
    else await r.vfs.setxattr(r.path, deadXattr(key), value).catch(() => {});
  }
}

/** Handles PROPPATCH. */
export async function handleProppatch(r: DavRequest): Promise<void> {
  const body = await readBody(r.req);
  r.bytesIn += body.length;
  const doc = parseXml(body);
  if (!doc) throw new HttpError(400, 'PROPPATCH needs a body');
  const changes = parseChanges(doc.documentElement!);
  await r.vfs.stat(r.path);
  assertUnlocked(r, { path: r.path });
  const statuses = new Map<string, { status: number; condition?: string }>();
  const protectedKeys = changes.filter((c) => LIVE.has(c.key));
  if (protectedKeys.length > 0) {
    for (const c of changes) statuses.set(c.key, { status: 424 });
    for (const c of protectedKeys) statuses.set(c.key, { status: 403, condition: '<D:cannot-modify-protected-property/>' });
    return answer(r, statuses);
  }
  const saved = new Map<string, Buffer | undefined>();
  for (const c of changes) {
    try {
      if (!saved.has(c.key)) saved.set(c.key, await previous(r, c.key));
      if (c.op === 'set') await r.vfs.setxattr(r.path, deadXattr(c.key), Buffer.from(c.xml));
      else await r.vfs.removexattr(r.path, deadXattr(c.key)).catch((err) => {
        if (!isVfsError(err, 'ENODATA')) throw err;
      });
      if (c.op === 'set' && c.key === WIN32_MTIME) await applyWin32Mtime(r, c.xml);
      statuses.set(c.key, { status: 200 });
    } catch (err) {
      await restore(r, saved);
      const failed = toHttpError(err, 'PROPPATCH');
      for (const other of changes) statuses.set(other.key, { status: 424 });
      statuses.set(c.key, { status: failed.status, ...(failed.condition ? { condition: failed.condition } : {}) });
      return answer(r, statuses);
    }
  }
  answer(r, statuses);
}

/** Sets the file's mtime from a Win32LastModifiedTime value (an HTTP date). */
async function applyWin32Mtime(r: DavRequest, xml: string): Promise<void> {
  const text = xml.replace(/<[^>]*>/g, '').trim();
  const ms = Date.parse(text);
  if (!Number.isNaN(ms)) await r.vfs.setattr(r.path, { mtimeNs: BigInt(ms) * 1_000_000n });
}
