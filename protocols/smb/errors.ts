// The one table from Vfs error codes to NTSTATUS, with the operation deciding NAME vs PATH not found.
import { isVfsError, type VfsErrorCode } from '../../core/errors.ts';
import { WireError } from './wire.ts';
import { NtStatusError, Status } from './ntstatus.ts';

/** NTSTATUS for each Vfs error code (ENOENT is refined by `toNtStatus`). */
export const VFS_TO_NTSTATUS: Record<VfsErrorCode, number> = {
  ENOENT: Status.OBJECT_NAME_NOT_FOUND,
  EEXIST: Status.OBJECT_NAME_COLLISION,
  ENOTDIR: Status.OBJECT_PATH_NOT_FOUND,
  EISDIR: Status.FILE_IS_A_DIRECTORY,
  ENOTEMPTY: Status.DIRECTORY_NOT_EMPTY,
  EACCES: Status.ACCESS_DENIED,
  EPERM: Status.ACCESS_DENIED,
  EROFS: Status.MEDIA_WRITE_PROTECTED,
  ENOSPC: Status.DISK_FULL,
  EIO: Status.IO_DEVICE_ERROR,
  EINVAL: Status.INVALID_PARAMETER,
  ENAMETOOLONG: Status.NAME_TOO_LONG,
  EXDEV: Status.NOT_SAME_DEVICE,
  EBADF: Status.FILE_CLOSED,
  ENODATA: Status.OBJECT_NAME_NOT_FOUND,
  ELOOP: Status.STOPPED_ON_SYMLINK,
  EBUSY: Status.SHARING_VIOLATION,
  ENOTSUP: Status.NOT_SUPPORTED,
};

/**
 * The NTSTATUS for any error a handler met. A Vfs ENOENT is OBJECT_NAME_NOT_FOUND here; the operations that
 * can tell a missing parent (CREATE, rename) answer OBJECT_PATH_NOT_FOUND themselves before this table.
 */
export function toNtStatus(err: unknown): number {
  if (err instanceof NtStatusError) return err.status;
  if (err instanceof WireError) return Status.INVALID_PARAMETER;
  if (isVfsError(err)) return VFS_TO_NTSTATUS[err.code];
  return Status.UNSUCCESSFUL;
}
