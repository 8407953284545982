// DELETE: files, and collections recursively (RFC 4918 §9.6); members that cannot be deleted are
// reported in a 207 Multi-Status and keep their ancestors. /.snapshots/NAME deletes a snapshot.
import type { Stat, Vfs } from '../../core/vfs/types.ts';
import { HttpError, toHttpError } from './errors.ts';
import { statusResponse, sendMultistatus } from './multistatus.ts';
import { hrefOf, joinPath } from './paths.ts';
import { assertUnlocked, header, lockPath, send, type DavRequest } from './request.ts';

/** A member that could not be removed. */
export interface Failure {
  path: string;
  collection: boolean;
  status: number;
}

/** Removes `path` and, for a directory, everything below it; returns the failures (empty when all went). */
export async function removeTree(vfs: Vfs, path: string, stat: Stat, pageSize: number, failures: Failure[] = []): Promise<Failure[]> {
  const fail = (err: unknown) => failures.push({ path, collection: stat.kind === 'dir', status: toHttpError(err, 'DELETE').status });
  if (stat.kind !== 'dir') {
    await vfs.unlink(path).catch(fail);
    return failures;
  }
  const before = failures.length;
  let after: string | undefined;
  for (;;) {
    const page = await vfs.readdir(path, { after, limit: pageSize });
    for (const e of page) await removeTree(vfs, joinPath(path, e.name), e.stat, pageSize, failures);
    if (page.length < pageSize) break;
    after = page[page.length - 1]!.name;
  }
  if (failures.length === before) await vfs.rmdir(path).catch(fail);
  return failures;
}

/** Handles DELETE. */
export async function handleDelete(r: DavRequest): Promise<void> {
  const depth = header(r, 'depth');
  if (depth !== undefined && depth.toLowerCase() !== 'infinity') throw new HttpError(400, 'DELETE takes Depth: infinity only');
  if (r.path === '/') throw new HttpError(403, 'the root collection cannot be deleted');
  const stat = await r.vfs.stat(r.path);
  assertUnlocked(r, { path: r.path, deep: true, membership: true });
  if (/^\/\.snapshots\/[^/]+$/.test(r.path)) {
    await r.vfs.rmdir(r.path);
  } else {
    const failures = await removeTree(r.vfs, r.path, stat, r.settings.pageSize);
    if (failures.length === 1 && failures[0]!.path === r.path) throw new HttpError(failures[0]!.status, 'could not delete');
    if (failures.length > 0) return sendMultistatus(r, failures.map((f) => statusResponse(hrefOf(f.path, f.collection), f.status)));
  }
  r.locks.removeTree(lockPath(r, r.path));
  send(r, 204);
}
