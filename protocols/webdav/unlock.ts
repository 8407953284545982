// UNLOCK (RFC 4918 §9.11): removes the lock named by Lock-Token when it covers the request URI.
import { HttpError } from './errors.ts';
import { header, lockPath, send, type DavRequest } from './request.ts';

/** Handles UNLOCK. */
export async function handleUnlock(r: DavRequest): Promise<void> {
  const m = /^\s*<([^>]+)>\s*$/.exec(header(r, 'lock-token') ?? '');
  if (!m) throw new HttpError(400, 'Lock-Token header missing or malformed');
  const token = m[1]!;
  const abs = lockPath(r, r.path);
  const lock = r.locks.covering(abs).find((l) => l.token === token);
  if (!lock) throw new HttpError(409, 'that lock does not cover this resource', '<D:lock-token-matches-request-uri/>');
  if (lock.principal !== r.user.name) throw new HttpError(403, 'the lock belongs to another user');
  r.locks.remove(token);
  send(r, 204);
}
