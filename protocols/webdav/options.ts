// OPTIONS: advertises DAV classes 1 and 2, the methods, and Microsoft's MS-Author-Via.
import { send, type DavRequest } from './request.ts';

/** Every method the server implements. */
export const ALLOWED_METHODS = 'OPTIONS, GET, HEAD, PUT, DELETE, MKCOL, COPY, MOVE, PROPFIND, PROPPATCH, LOCK, UNLOCK';

/** Handles OPTIONS (also for `*`). */
export async function handleOptions(r: DavRequest): Promise<void> {
  send(r, 200, '', { DAV: '1, 2', 'MS-Author-Via': 'DAV', Allow: ALLOWED_METHODS, 'Accept-Ranges': 'bytes' });
}
