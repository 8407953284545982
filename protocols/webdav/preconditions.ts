// HTTP conditional requests (RFC 9110 §13): If-Match, If-None-Match, If-Modified-Since,
// If-Unmodified-Since, evaluated in the standard order.
import type { Stat } from '../../core/vfs/types.ts';
import { HttpError } from './errors.ts';
import { etagOf, type DavRequest } from './request.ts';

function etagList(value: string): string[] {
  return value.split(',').map((e) => e.trim().replace(/^W\//, '')).filter(Boolean);
}

function seconds(ns: bigint): number {
  return Number(ns / 1_000_000_000n);
}

function dateSeconds(value: string | undefined): number | null {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : Math.floor(t / 1000);
}

/** Evaluates the conditional headers against `stat` (null: unmapped); true means answer 304. Throws 412. */
export function notModified(r: DavRequest, stat: Stat | null): boolean {
  const h = r.req.headers;
  const safe = r.method === 'GET' || r.method === 'HEAD';
  const etag = stat ? etagOf(stat) : null;
  const ifMatch = h['if-match'];
  if (ifMatch !== undefined) {
    const ok = ifMatch.trim() === '*' ? stat !== null : etag !== null && etagList(ifMatch).includes(etag);
    if (!ok) throw new HttpError(412, 'If-Match failed');
  } else {
    const since = dateSeconds(h['if-unmodified-since']);
    if (since !== null && stat && seconds(stat.mtimeNs) > since) throw new HttpError(412, 'If-Unmodified-Since failed');
  }
  const ifNone = h['if-none-match'];
  if (ifNone !== undefined) {
    const hit = ifNone.trim() === '*' ? stat !== null : etag !== null && etagList(ifNone).includes(etag.replace(/^W\//, ''));
    if (hit) {
      if (safe) return true;
      throw new HttpError(412, 'If-None-Match failed');
    }
  } else if (safe && stat) {
    const since = dateSeconds(h['if-modified-since']);
    if (since !== null && seconds(stat.mtimeNs) <= since) return true;
  }
  return false;
}
