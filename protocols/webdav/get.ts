// GET and HEAD: files streamed from the Vfs with Range (single, suffix, 416), conditional
// requests, strong ETags and Last-Modified; collections answer with an HTML listing.
import { partsLength, releaseParts } from '../../core/files/content.ts';
import type { Stat, VfsFile } from '../../core/vfs/types.ts';
import { HttpError } from './errors.ts';
import { sendListing } from './html-listing.ts';
import { contentTypeOf } from './mime.ts';
import { baseName } from './paths.ts';
import { notModified } from './preconditions.ts';
import { etagOf, header, send, type DavRequest } from './request.ts';

/** Bytes read from the Vfs per piece. */
const PIECE = 1024 * 1024;
/** Pieces read ahead of the socket, so Vfs reads overlap with sending. */
const READ_AHEAD = 4;

/** A byte range [start, end] inclusive, or null for the whole file; 'unsatisfiable' for 416. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header.trim());
  if (!m) return null; // multiple or malformed ranges: serve the whole entity (RFC 9110 §14.2 allows ignoring Range)
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (b !== '' && Number(b) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

function rangeApplies(r: DavRequest, stat: Stat): boolean {
  const ifRange = header(r, 'if-range');
  if (ifRange === undefined) return true;
  if (ifRange.startsWith('"') || ifRange.startsWith('W/')) return ifRange === etagOf(stat);
  const t = Date.parse(ifRange);
  return !Number.isNaN(t) && Math.floor(t / 1000) >= Number(stat.mtimeNs / 1_000_000_000n);
}

/** Handles GET and HEAD. */
export async function handleGet(r: DavRequest): Promise<void> {
  const stat = await r.vfs.stat(r.path);
  if (stat.kind === 'dir') return sendListing(r, stat);
  if (stat.kind !== 'file') throw new HttpError(404, 'symbolic links are not served over WebDAV');
  const common = { ETag: etagOf(stat), 'Last-Modified': new Date(Number(stat.mtimeNs / 1_000_000n)).toUTCString(), 'Accept-Ranges': 'bytes' };
  if (notModified(r, stat)) {
    r.res.writeHead(304, common).end();
    return;
  }
  const range = rangeApplies(r, stat) ? parseRange(header(r, 'range'), stat.size) : null;
  if (range === 'unsatisfiable') return send(r, 416, '', { 'Content-Range': `bytes */${stat.size}` });
  const start = range?.start ?? 0;
  const end = range?.end ?? stat.size - 1;
  const headers: Record<string, string | number> = { ...common, 'Content-Type': contentTypeOf(baseName(r.path)), 'Content-Length': end - start + 1 };
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${stat.size}`;
  if (r.method === 'HEAD') {
    r.res.writeHead(range ? 206 : 200, headers).end();
    return;
  }
  const file = await r.vfs.open(r.path);
  try {
    r.res.writeHead(range ? 206 : 200, headers);
    await streamFile(r, file, start, end + 1);
    r.res.end();
  } finally {
    await file.close();
  }
}

/** Streams bytes [from, to) of `file` to the response with READ_AHEAD pieces in flight, honouring backpressure. */
async function streamFile(r: DavRequest, file: VfsFile, from: number, to: number): Promise<void> {
  const res = r.res;
  const queue: Array<{ read: Promise<Buffer[]>; length: number }> = [];
  let asked = from;
  const fill = () => {
    while (queue.length < READ_AHEAD && asked < to) {
      const length = Math.min(PIECE, to - asked);
      const read = file.readParts(asked, length);
      read.catch(() => {});
      queue.push({ read, length });
      asked += length;
    }
  };
  fill();
  while (queue.length > 0) {
    const piece = queue.shift()!;
    const parts = await piece.read;
    if (partsLength(parts) !== piece.length) throw new HttpError(500, 'file shrank while being read');
    fill();
    r.bytesOut += piece.length;
    let flowing = true;
    // The pieces are the store's, lent until the response has written them.
    for (const [i, p] of parts.entries()) flowing = res.write(p, i === parts.length - 1 ? () => releaseParts(parts) : undefined);
    if (!flowing) {
      await new Promise<void>((resolve, reject) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          if (res.destroyed && !res.writableFinished) reject(new HttpError(499, 'client went away'));
          else resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
    if (res.destroyed) throw new HttpError(499, 'client went away');
  }
}
