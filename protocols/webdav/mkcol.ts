// MKCOL: creates a collection (415 with a body, 405 when the URL is mapped, 409 without a parent);
// MKCOL /.snapshots/NAME takes a snapshot.
import { HttpError } from './errors.ts';
import { inSnapshots, parentOf } from './paths.ts';
import { assertUnlocked, header, send, statOrNull, type DavRequest } from './request.ts';

/** Handles MKCOL. */
export async function handleMkcol(r: DavRequest): Promise<void> {
  const length = Number(header(r, 'content-length') ?? 0);
  if (length > 0 || header(r, 'transfer-encoding') !== undefined) throw new HttpError(415, 'MKCOL with a body is not supported');
  if (await statOrNull(r.vfs, r.path)) throw new HttpError(405, 'the URL is already mapped');
  if (!inSnapshots(r.path)) {
    const parent = await statOrNull(r.vfs, parentOf(r.path));
    if (!parent || parent.kind !== 'dir') throw new HttpError(409, 'the parent collection does not exist');
    assertUnlocked(r, { path: r.path, membership: true });
  }
  await r.vfs.mkdir(r.path);
  send(r, 201);
}
