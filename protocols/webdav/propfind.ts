// PROPFIND (RFC 4918 §9.1): allprop (with include), prop and propname at Depth 0, 1 or infinity.
// The multistatus is streamed: collections are read page by page ({after, limit}) and written as
// they come, with backpressure, so a huge collection never sits in memory.
import type { Stat } from '../../core/vfs/types.ts';
import type { Element } from '@xmldom/xmldom';
import { HttpError } from './errors.ts';
import { statusLine } from './multistatus.ts';
import { hrefOf, joinPath } from './paths.ts';
import { ALLPROP_LIVE, deadProps, LIVE, liveProp, QUOTA_LIVE, type PropContext } from './props.ts';
import { header, lockPath, type DavRequest } from './request.ts';
import { childElements, emptyProp, escapeXml, isDav, MULTISTATUS_CLOSE, MULTISTATUS_OPEN, parseXml, propKey, readBody } from './xml.ts';

/** What a PROPFIND asks for. */
type Query = { mode: 'allprop'; include: string[] } | { mode: 'propname' } | { mode: 'prop'; keys: string[] };

function parseQuery(root: Element | null): Query {
  if (!root) return { mode: 'allprop', include: [] };
  if (!isDav(root, 'propfind')) throw new HttpError(400, 'expected DAV:propfind');
  const kids = childElements(root);
  const prop = kids.find((k) => isDav(k, 'prop'));
  if (kids.some((k) => isDav(k, 'propname'))) return { mode: 'propname' };
  if (kids.some((k) => isDav(k, 'allprop'))) {
    const include = kids.find((k) => isDav(k, 'include'));
    return { mode: 'allprop', include: include ? childElements(include).map(propKey) : [] };
  }
  if (prop) return { mode: 'prop', keys: childElements(prop).map(propKey) };
  throw new HttpError(400, 'DAV:propfind needs prop, allprop or propname');
}

function parseDepth(r: DavRequest): 0 | 1 | 'infinity' {
  const v = header(r, 'depth')?.trim().toLowerCase();
  if (v === undefined || v === 'infinity') return 'infinity';
  if (v === '0') return 0;
  if (v === '1') return 1;
  throw new HttpError(400, `invalid Depth '${header(r, 'depth')}'`);
}

function propstat(props: string[], status: number): string {
  return props.length === 0 ? '' : `<D:propstat><D:prop>${props.join('')}</D:prop><D:status>${statusLine(status)}</D:status></D:propstat>`;
}

/** Renders one resource's DAV:response for the query. */
async function renderResponse(c: PropContext, q: Query): Promise<string> {
  const abs = lockPath(c.r, c.path);
  const href = `<D:href>${escapeXml(hrefOf(c.path, c.stat.kind === 'dir'))}</D:href>`;
  if (q.mode === 'propname') {
    const live = [...ALLPROP_LIVE, ...QUOTA_LIVE].filter((k) => liveProp(k, c, abs) !== undefined || QUOTA_LIVE.includes(k));
    const dead = [...(await deadProps(c.r.vfs, c.path, c.stat)).keys()].filter((k) => !LIVE.has(k));
    const names = [...live, ...dead].map((k) => (k.startsWith('{DAV:}') ? `<D:${k.slice(6)}/>` : emptyProp(k)));
    return `<D:response>${href}${propstat(names, 200)}</D:response>\n`;
  }
  const found: string[] = [];
  const missing: string[] = [];
  if (q.mode === 'allprop') {
    for (const k of ALLPROP_LIVE) {
      const v = liveProp(k, c, abs);
      if (v !== undefined) found.push(v);
    }
    for (const [k, v] of await deadProps(c.r.vfs, c.path, c.stat)) if (!LIVE.has(k)) found.push(v);
    for (const k of q.include) {
      const v = ALLPROP_LIVE.includes(k) ? undefined : liveProp(k, c, abs);
      if (v !== undefined) found.push(v);
    }
  } else {
    // one xattr listing per resource, and only when a dead property is asked for
    const dead = q.keys.some((k) => !LIVE.has(k)) ? await deadProps(c.r.vfs, c.path, c.stat) : undefined;
    for (const k of q.keys) {
      const v = LIVE.has(k) ? liveProp(k, c, abs) : dead?.get(k);
      if (v !== undefined) found.push(v);
      else missing.push(k.startsWith('{DAV:}') ? `<D:${k.slice(6)}/>` : emptyProp(k));
    }
  }
  return `<D:response>${href}${propstat(found, 200)}${propstat(missing, 404)}</D:response>\n`;
}

/** Buffers response text and writes it out in large pieces, waiting for drain. */
class Writer {
  private buf = '';
  constructor(private readonly r: DavRequest) {}
  /** Appends text; true when enough is buffered that the caller should `flush`. */
  add(s: string): boolean {
    this.buf += s;
    return this.buf.length >= 64 * 1024;
  }
  async flush(): Promise<void> {
    if (this.buf === '') return;
    const b = Buffer.from(this.buf);
    this.buf = '';
    this.r.bytesOut += b.length;
    const res = this.r.res;
    if (!res.write(b)) await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
    if (res.destroyed) throw new HttpError(499, 'client went away');
  }
}

/** Writes the responses of every member of `dir`, recursing when `deep`. */
async function walk(r: DavRequest, w: Writer, base: Omit<PropContext, 'path' | 'stat'>, dir: string, q: Query, deep: boolean): Promise<void> {
  let after: string | undefined;
  for (;;) {
    const page = await r.vfs.readdir(dir, { after, limit: r.settings.pageSize });
    for (const e of page) {
      if (e.stat.kind === 'symlink') continue;
      const path = joinPath(dir, e.name);
      if (w.add(await renderResponse({ ...base, path, stat: e.stat }, q))) await w.flush();
      if (deep && e.stat.kind === 'dir') await walk(r, w, base, path, q, true);
    }
    if (page.length < r.settings.pageSize) return;
    after = page[page.length - 1]!.name;
  }
}

/** Handles PROPFIND. */
export async function handlePropfind(r: DavRequest): Promise<void> {
  const depth = parseDepth(r);
  const doc = parseXml(await readBody(r.req));
  r.bytesIn += Number(header(r, 'content-length') ?? 0);
  const q = parseQuery(doc?.documentElement ?? null);
  const stat: Stat = await r.vfs.stat(r.path);
  if (stat.kind === 'symlink') throw new HttpError(404, 'symbolic links are not served over WebDAV');
  const wantsQuota = q.mode === 'propname' || (q.mode === 'prop' && q.keys.some((k) => QUOTA_LIVE.includes(k))) || (q.mode === 'allprop' && q.include.some((k) => QUOTA_LIVE.includes(k)));
  const base = { r, statfs: wantsQuota ? await r.vfs.statfs() : undefined };
  const first = await renderResponse({ ...base, path: r.path, stat }, q);
  r.res.writeHead(207, { 'Content-Type': 'application/xml; charset=utf-8' });
  const w = new Writer(r);
  w.add(MULTISTATUS_OPEN + first);
  if (depth !== 0 && stat.kind === 'dir') await walk(r, w, base, r.path, q, depth === 'infinity');
  w.add(MULTISTATUS_CLOSE);
  await w.flush();
  r.res.end();
}

