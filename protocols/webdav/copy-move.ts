// COPY and MOVE (RFC 4918 §9.8–9.9): Destination on this server (502 otherwise), Depth 0 or
// infinity, Overwrite T/F (412), 201 for a new destination and 204 for a replaced one. Dead
// properties (xattrs) travel with the copy; MOVE is one atomic Vfs rename.
import type { Stat, Vfs } from '../../core/vfs/types.ts';
import { isVfsError } from '../../core/errors.ts';
import { removeTree, type Failure } from './delete.ts';
import { HttpError, toHttpError } from './errors.ts';
import { statusResponse, sendMultistatus } from './multistatus.ts';
import { decodeTarget, hrefOf, isWithin, joinPath, parentOf } from './paths.ts';
import { assertUnlocked, header, lockPath, send, statOrNull, type DavRequest } from './request.ts';

/** Bytes per piece when copying file content. */
const PIECE = 1024 * 1024;

/** The share path named by the Destination header; 502 when it points at another server. */
function destination(r: DavRequest): string {
  const dest = header(r, 'destination');
  if (!dest) throw new HttpError(400, 'Destination header missing');
  if (/^[a-z][a-z0-9+.-]*:/i.test(dest)) {
    let url: URL;
    try {
      url = new URL(dest);
    } catch {
      throw new HttpError(400, 'malformed Destination');
    }
    if (url.host.toLowerCase() !== (r.req.headers.host ?? '').toLowerCase()) throw new HttpError(502, 'Destination is on another server');
  }
  return decodeTarget(dest).path;
}

async function* fileContent(vfs: Vfs, path: string): AsyncIterable<Uint8Array> {
  const f = await vfs.open(path);
  try {
    for (let pos = 0; ; ) {
      const buf = await f.read(pos, PIECE);
      if (buf.length === 0) return;
      pos += buf.length;
      yield buf;
    }
  } finally {
    await f.close();
  }
}

/** Copies the xattrs (dead properties) of `from` onto `to`. */
async function copyXattrs(vfs: Vfs, from: string, to: string): Promise<void> {
  for (const name of await vfs.listxattr(from)) await vfs.setxattr(to, name, await vfs.getxattr(from, name));
}

/** Copies `from` to `to` (which does not exist); collections with their members when `deep`. */
export async function copyTree(vfs: Vfs, from: string, stat: Stat, to: string, deep: boolean, pageSize: number, failures: Failure[] = []): Promise<Failure[]> {
  try {
    if (stat.kind === 'dir') await vfs.mkdir(to, stat.mode & 0o7777);
    else if (stat.kind === 'file') await vfs.writeFile(to, fileContent(vfs, from), { mode: stat.mode & 0o7777 });
    else await vfs.symlink(await vfs.readlink(from), to);
    if (stat.kind !== 'symlink') await copyXattrs(vfs, from, to);
  } catch (err) {
    failures.push({ path: to, collection: stat.kind === 'dir', status: toHttpError(err, 'COPY').status });
    return failures;
  }
  if (stat.kind !== 'dir' || !deep) return failures;
  let after: string | undefined;
  for (;;) {
    const page = await vfs.readdir(from, { after, limit: pageSize });
    for (const e of page) await copyTree(vfs, joinPath(from, e.name), e.stat, joinPath(to, e.name), true, pageSize, failures);
    if (page.length < pageSize) break;
    after = page[page.length - 1]!.name;
  }
  return failures;
}

function parseOverwrite(r: DavRequest): boolean {
  const v = (header(r, 'overwrite') ?? 'T').trim().toUpperCase();
  if (v !== 'T' && v !== 'F') throw new HttpError(400, 'Overwrite must be T or F');
  return v === 'T';
}

function parseCopyDepth(r: DavRequest, stat: Stat): boolean {
  const v = header(r, 'depth')?.trim().toLowerCase();
  if (v === undefined || v === 'infinity') return true;
  if (v === '0' && r.method === 'COPY') return false;
  if (v === '0' && stat.kind !== 'dir') return true;
  throw new HttpError(400, `${r.method} does not take Depth: ${v}`);
}

/** Handles COPY and MOVE. */
export async function handleCopyMove(r: DavRequest): Promise<void> {
  const move = r.method === 'MOVE';
  const to = destination(r);
  const stat = await r.vfs.stat(r.path).catch((err) => {
    throw isVfsError(err, 'ENOENT') || isVfsError(err, 'ENOTDIR') ? new HttpError(404, 'source not found') : err;
  });
  const deep = parseCopyDepth(r, stat);
  const overwrite = parseOverwrite(r);
  if (to === r.path) throw new HttpError(403, 'source and destination are the same');
  if (stat.kind === 'dir' && isWithin(to, r.path)) throw new HttpError(403, 'cannot copy or move a collection into itself');
  const parent = await statOrNull(r.vfs, parentOf(to));
  if (!parent || parent.kind !== 'dir') throw new HttpError(409, 'the destination parent does not exist');
  const existing = await statOrNull(r.vfs, to);
  if (existing && !overwrite) throw new HttpError(412, 'the destination exists and Overwrite is F');
  if (move) assertUnlocked(r, { path: r.path, deep: true, membership: true });
  assertUnlocked(r, { path: to, deep: true, membership: true });
  if (existing) {
    const failures = await removeTree(r.vfs, to, existing, r.settings.pageSize);
    if (failures.length > 0) return sendMultistatus(r, failures.map((f) => statusResponse(hrefOf(f.path, f.collection), f.status)));
  }
  if (move) {
    await r.vfs.rename(r.path, to);
    r.locks.removeTree(lockPath(r, r.path));
  } else {
    const failures = await copyTree(r.vfs, r.path, stat, to, deep, r.settings.pageSize);
    if (failures.length === 1 && failures[0]!.path === to) throw new HttpError(failures[0]!.status, 'copy failed');
    if (failures.length > 0) return sendMultistatus(r, failures.map((f) => statusResponse(hrefOf(f.path, f.collection), f.status)));
  }
  send(r, existing ? 204 : 201);
}
