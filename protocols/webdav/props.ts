// Properties: the live ones computed from a Stat (RFC 4918 §15, RFC 4331 quota), lock discovery,
// and dead properties kept as xattrs named `dav:{namespace}local` so they live in the archive and
// in its snapshots.
import type { Stat, StatFs, Vfs } from '../../core/vfs/types.ts';
import type { Lock } from './locks.ts';
import { contentTypeOf } from './mime.ts';
import { baseName, hrefOf } from './paths.ts';
import { etagOf, sharePath, type DavRequest } from './request.ts';
import { escapeXml } from './xml.ts';

/** Prefix of the xattrs holding dead properties. */
export const DEAD_PREFIX = 'dav:';

/** Live properties returned by allprop, in Clark notation. */
export const ALLPROP_LIVE = ['creationdate', 'displayname', 'getcontentlength', 'getcontenttype', 'getetag', 'getlastmodified', 'resourcetype', 'lockdiscovery', 'supportedlock'].map((n) => `{DAV:}${n}`);
/** Live properties only returned when asked for by name (RFC 4331). */
export const QUOTA_LIVE = ['{DAV:}quota-available-bytes', '{DAV:}quota-used-bytes'];
/** Every live property: computed from the entry, so PROPPATCH cannot set or remove them (403). */
export const LIVE = new Set([...ALLPROP_LIVE, ...QUOTA_LIVE]);

/** What a property is computed from. */
export interface PropContext {
  r: DavRequest;
  path: string;
  stat: Stat;
  statfs?: StatFs;
}

function isoDate(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19) + 'Z';
}

/** The XML of one active lock, with the remaining timeout. */
export function activeLockXml(r: DavRequest, lock: Lock): string {
  const left = Math.max(0, Math.ceil((lock.expiresAt - Date.now()) / 1000));
  const root = sharePath(r, lock.root);
  return (
    `<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope><D:${lock.scope}/></D:lockscope>` +
    `<D:depth>${lock.depth === 0 ? '0' : 'infinity'}</D:depth>${lock.owner}<D:timeout>Second-${left}</D:timeout>` +
    `<D:locktoken><D:href>${escapeXml(lock.token)}</D:href></D:locktoken>` +
    `<D:lockroot><D:href>${escapeXml(hrefOf(root, false))}</D:href></D:lockroot></D:activelock>`
  );
}

/** The XML of DAV:lockdiscovery for `path`. */
export function lockDiscoveryXml(r: DavRequest, absPath: string): string {
  return `<D:lockdiscovery>${r.locks.covering(absPath).map((l) => activeLockXml(r, l)).join('')}</D:lockdiscovery>`;
}

const SUPPORTED_LOCK =
  '<D:supportedlock><D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>' +
  '<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry></D:supportedlock>';

/** The XML of a live property, or undefined when it does not apply to this resource. */
export function liveProp(key: string, c: PropContext, absPath: string): string | undefined {
  const { stat } = c;
  const dir = stat.kind === 'dir';
  switch (key) {
    case '{DAV:}creationdate':
      return `<D:creationdate>${isoDate(stat.btimeNs)}</D:creationdate>`;
    case '{DAV:}displayname':
      return `<D:displayname>${escapeXml(baseName(c.path))}</D:displayname>`;
    case '{DAV:}getcontentlength':
      return dir ? undefined : `<D:getcontentlength>${stat.size}</D:getcontentlength>`;
    case '{DAV:}getcontenttype':
      return dir ? undefined : `<D:getcontenttype>${escapeXml(contentTypeOf(baseName(c.path)))}</D:getcontenttype>`;
    case '{DAV:}getetag':
      return `<D:getetag>${escapeXml(etagOf(stat))}</D:getetag>`;
    case '{DAV:}getlastmodified':
      return `<D:getlastmodified>${new Date(Number(stat.mtimeNs / 1_000_000n)).toUTCString()}</D:getlastmodified>`;
    case '{DAV:}resourcetype':
      return dir ? '<D:resourcetype><D:collection/></D:resourcetype>' : '<D:resourcetype/>';
    case '{DAV:}lockdiscovery':
      return lockDiscoveryXml(c.r, absPath);
    case '{DAV:}supportedlock':
      return SUPPORTED_LOCK;
    case '{DAV:}quota-available-bytes':
      return c.statfs ? `<D:quota-available-bytes>${c.statfs.blocksAvail * c.statfs.blockSize}</D:quota-available-bytes>` : undefined;
    case '{DAV:}quota-used-bytes':
      return c.statfs ? `<D:quota-used-bytes>${(c.statfs.blocks - c.statfs.blocksFree) * c.statfs.blockSize}</D:quota-used-bytes>` : undefined;
    default:
      return undefined;
  }
}

/** The xattr name of a dead property key. */
export function deadXattr(key: string): string {
  return DEAD_PREFIX + key;
}

/** Every dead property of `path`: key → stored element XML. */
export async function deadProps(vfs: Vfs, path: string, stat: Stat): Promise<Map<string, string>> {
  if (stat.hasXattrs === false) return new Map();
  const out = new Map<string, string>();
  for (const name of await vfs.listxattr(path)) {
    if (!name.startsWith(DEAD_PREFIX)) continue;
    out.set(name.slice(DEAD_PREFIX.length), (await vfs.getxattr(path, name)).toString('utf8'));
  }
  return out;
}

