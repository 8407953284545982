// The one table from Vfs error codes to FTP replies, and the mapper that knows the operation.
import { isVfsError, type VfsErrorCode } from '../../core/errors.ts';

/** An FTP reply: a three-digit code and its text. */
export interface FtpReply {
  code: number;
  text: string;
}

/** Kinds of commands whose failures are told apart (a transfer gets 552 for a full disk, a name 553). */
export type FtpOp = 'read' | 'write' | 'transfer-in' | 'transfer-out' | 'dir' | 'rename' | 'delete' | 'attr' | 'snapshot';

/** Every Vfs code's reply; the texts are stable so clients (and our test driver) can tell them apart. */
const TABLE: Record<VfsErrorCode, FtpReply> = {
  ENOENT: { code: 550, text: 'No such file or directory' },
  EEXIST: { code: 550, text: 'File exists' },
  ENOTDIR: { code: 550, text: 'Not a directory' },
  EISDIR: { code: 550, text: 'Is a directory' },
  ENOTEMPTY: { code: 550, text: 'Directory not empty' },
  EACCES: { code: 550, text: 'Permission denied' },
  EPERM: { code: 550, text: 'Operation not permitted' },
  EROFS: { code: 550, text: 'Read-only: snapshots under /.snapshots cannot be changed' },
  ENOSPC: { code: 552, text: 'Exceeded storage allocation: no space left on the server' },
  EIO: { code: 451, text: 'Local error in processing: input/output error' },
  EINVAL: { code: 553, text: 'File name not allowed' },
  ENAMETOOLONG: { code: 553, text: 'File name not allowed: name too long' },
  EXDEV: { code: 550, text: 'Cannot move between the live tree and a snapshot' },
  EBADF: { code: 451, text: 'Local error in processing: file handle closed' },
  ENODATA: { code: 550, text: 'No such attribute' },
  ELOOP: { code: 550, text: 'Is a symbolic link' },
  EBUSY: { code: 450, text: 'File busy, try again later' },
  ENOTSUP: { code: 504, text: 'Not supported for this file' },
};

/** The reply for a Vfs error code during `op`. */
export function replyForCode(code: VfsErrorCode, op: FtpOp): FtpReply {
  const r = TABLE[code];
  // EINVAL on a rename into its own subtree or a bad attribute is not about a name.
  if (code === 'EINVAL' && (op === 'rename' || op === 'attr')) return { code: 550, text: 'Invalid argument' };
  // A full disk outside a transfer is "insufficient storage" (452), during STOR "exceeded" (552).
  if (code === 'ENOSPC' && op !== 'transfer-in') return { code: 452, text: 'Insufficient storage space: no space left on the server' };
  return r;
}

/** The reply for any error thrown while serving `op`: Vfs errors through the table, anything else 451. */
export function replyForError(err: unknown, op: FtpOp): FtpReply {
  if (isVfsError(err)) return replyForCode(err.code, op);
  return { code: 451, text: 'Local error in processing' };
}
