// The one table from Vfs error codes to the errno values FUSE returns to the kernel (negated on the wire).
import { isVfsError, type VfsErrorCode } from '../core/errors.ts';

/** Linux errno for each Vfs code; the compiler fails when a new code has no entry. */
export const ERRNO: Record<VfsErrorCode, number> = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  EBADF: 9,
  EACCES: 13,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENOSPC: 28,
  EROFS: 30,
  ENAMETOOLONG: 36,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ENODATA: 61,
  ENOTSUP: 95,
};

/** The errno the kernel gets when the operation itself is not supported (link, mknod). */
export const ENOSYS = 38;

/** The negative errno FUSE expects for `err`: Vfs codes through the table, anything else EIO. */
export function fuseErrno(err: unknown): number {
  return -(isVfsError(err) ? ERRNO[err.code] : ERRNO.EIO);
}

/** The Vfs code name for metrics (`EIO` for errors that are not VfsErrors). */
export function errorName(err: unknown): string {
  return isVfsError(err) ? err.code : 'EIO';
}
