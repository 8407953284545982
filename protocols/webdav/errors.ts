// WebDAV status codes for Vfs errors: one table, with per-method overrides (RFC 4918 §9), and the
// HttpError that handlers throw to answer with a status and an optional DAV:error body.
import { isVfsError, type VfsErrorCode } from '../../core/errors.ts';

/** The HTTP status for each Vfs error code, before per-method overrides. */
export const STATUS_FOR_CODE: Record<VfsErrorCode, number> = {
  ENOENT: 404,
  EEXIST: 412,
  ENOTDIR: 409,
  EISDIR: 405,
  ENOTEMPTY: 409,
  EACCES: 403,
  EPERM: 403,
  EROFS: 403,
  ENOSPC: 507,
  EIO: 500,
  EINVAL: 400,
  ENAMETOOLONG: 414,
  EXDEV: 502,
  EBADF: 500,
  ENODATA: 404,
  ELOOP: 508,
  EBUSY: 423,
  ENOTSUP: 501,
};

/** Methods that create a resource at the request URI: a missing parent is 409 Conflict there (RFC 4918 §9.3.1, §9.7.1). */
const CREATING = new Set(['PUT', 'MKCOL', 'LOCK', 'COPY', 'MOVE']);

/** An error answered as `status` with an optional DAV:error condition element (inner XML, DAV: prefix `D`). */
export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly condition?: string) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The status for a Vfs error `code` raised while serving `method`. */
export function statusFor(code: VfsErrorCode, method: string): number {
  if (code === 'ENOENT' && CREATING.has(method)) return 409;
  if (code === 'EEXIST' && method === 'MKCOL') return 405;
  if (code === 'ENOTDIR' && (method === 'GET' || method === 'HEAD' || method === 'PROPFIND' || method === 'DELETE' || method === 'PROPPATCH')) return 404;
  return STATUS_FOR_CODE[code];
}

/** The DAV:error condition for a Vfs error: snapshots say why they refused. */
function conditionFor(code: VfsErrorCode): string | undefined {
  if (code === 'EROFS') return '<S:snapshot-read-only xmlns:S="urn:x-strata:"/>';
  return undefined;
}

/** Converts anything thrown by a handler into an HttpError (Vfs errors through the table, others as 500). */
export function toHttpError(err: unknown, method: string): HttpError {
  if (err instanceof HttpError) return err;
  if (isVfsError(err)) return new HttpError(statusFor(err.code, method), err.message, conditionFor(err.code));
  return new HttpError(500, 'internal server error');
}
