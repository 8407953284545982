// Typed filesystem errors: the one error type core raises; each frontend maps `code` in its own table.

/** Every error code core can raise, POSIX-style. */
export const VFS_ERROR_CODES = [
  'ENOENT', 'EEXIST', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC',
  'EIO', 'EINVAL', 'ENAMETOOLONG', 'EXDEV', 'EBADF', 'ENODATA', 'ELOOP', 'EBUSY', 'ENOTSUP',
] as const;

export type VfsErrorCode = (typeof VFS_ERROR_CODES)[number];

const KEEP_STACKS = !!process.env.STRATA_DEBUG;

/** A filesystem error with a POSIX code, the operation and the path it concerns. */
export class VfsError extends Error {
  readonly code: VfsErrorCode;
  readonly syscall: string;
  readonly path: string | undefined;

  constructor(code: VfsErrorCode, syscall: string, path?: string, detail?: string) {
    // An expected outcome (ENOENT for a lookup of a name about to be created, EEXIST…) is thrown for
    // most small-file operations and never logged with its stack, and capturing one costs more than
    // the stat that failed: only EIO (logged by every frontend) keeps its stack, and STRATA_DEBUG keeps all.
    const limit = Error.stackTraceLimit;
    if (code !== 'EIO' && !KEEP_STACKS) Error.stackTraceLimit = 0;
    try {
      super(`${code}: ${detail ?? DEFAULT_MESSAGES[code]}, ${syscall}${path === undefined ? '' : ` '${path}'`}`);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = 'VfsError';
    this.code = code;
    this.syscall = syscall;
    this.path = path;
  }
}

const DEFAULT_MESSAGES: Record<VfsErrorCode, string> = {
  ENOENT: 'no such file or directory',
  EEXIST: 'file already exists',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ENOTEMPTY: 'directory not empty',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EIO: 'input/output error',
  EINVAL: 'invalid argument',
  ENAMETOOLONG: 'name too long',
  EXDEV: 'cross-device link',
  EBADF: 'bad file handle',
  ENODATA: 'no such attribute',
  ELOOP: 'too many symbolic links',
  EBUSY: 'resource busy',
  ENOTSUP: 'operation not supported',
};

/** True when `err` is a VfsError (by shape, so wrapped or re-thrown copies still match), optionally with `code`. */
export function isVfsError(err: unknown, code?: VfsErrorCode): err is VfsError {
  if (typeof err !== 'object' || err === null) return false;
  const c = (err as { code?: unknown }).code;
  if (typeof c !== 'string' || !(VFS_ERROR_CODES as readonly string[]).includes(c)) return false;
  return (err as Error).name === 'VfsError' && (code === undefined || c === code);
}

/**
 * lmdb-js rejects a failed commit with "Commit failed" and the cause in a `commitError` promise that
 * ends the process if nobody handles it; this handles it and returns the cause.
 */
export async function unwrapCommitError(err: unknown): Promise<unknown> {
  const inner = (err as { commitError?: Promise<unknown> } | null)?.commitError;
  if (!inner || typeof inner.then !== 'function') return err;
  return inner.then(() => err, (cause: unknown) => cause);
}

/** Converts a Node fs error (ENOSPC on a full disk, EIO…) into a VfsError; anything else becomes EIO. */
export function fromNodeError(err: unknown, syscall: string, path?: string): VfsError {
  if (isVfsError(err)) return err;
  (err as { commitError?: Promise<unknown> } | null)?.commitError?.catch?.(() => undefined);
  const c = (err as { code?: unknown } | null)?.code;
  if (typeof c === 'string' && (VFS_ERROR_CODES as readonly string[]).includes(c)) {
    return new VfsError(c as VfsErrorCode, syscall, path);
  }
  // LMDB reports a full disk as errno 28 or in its message, not as code 'ENOSPC'.
  if (c === 28 || /no space left on device/i.test((err as Error)?.message ?? '')) return new VfsError('ENOSPC', syscall, path);
  return new VfsError('EIO', syscall, path, (err as Error)?.message ?? String(err));
}

/** An error in the archive's stored bytes: a chunk that is missing, fails authentication or hashes wrong. */
export class CorruptionError extends VfsError {
  readonly objectId: string;
  constructor(objectId: string, detail: string) {
    super('EIO', 'read', undefined, `object ${objectId} is damaged: ${detail}`);
    this.name = 'VfsError';
    this.objectId = objectId;
  }
}
