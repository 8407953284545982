// Path normalisation, done once in core: every frontend passes its raw path here.
import { VfsError } from '../errors.ts';

/** Longest name in bytes (UTF-8), as on ext4. */
export const NAME_MAX = 255;
/** Longest path in bytes. */
export const PATH_MAX = 4096;

/** Throws unless `name` is a valid single entry name. */
export function checkName(name: string, syscall: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/')) throw new VfsError('EINVAL', syscall, name, 'invalid name');
  if (name.includes('\0')) throw new VfsError('EINVAL', syscall, name.replace(/\0/g, '\\0'), 'name contains NUL');
  if (Buffer.byteLength(name) > NAME_MAX) throw new VfsError('ENAMETOOLONG', syscall, name.slice(0, 40) + '…');
}

/**
 * Splits a path into its names, resolving `.` and `..` lexically and never above the root
 * (like a chroot, `/..` is `/`). Rejects NUL and overlong names.
 */
export function splitPath(path: string, syscall: string): string[] {
  if (path.includes('\0')) throw new VfsError('EINVAL', syscall, path.replace(/\0/g, '\\0'), 'path contains NUL');
  if (Buffer.byteLength(path) > PATH_MAX) throw new VfsError('ENAMETOOLONG', syscall, path.slice(0, 40) + '…');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      out.pop();
      continue;
    }
    checkName(part, syscall);
    out.push(part);
  }
  return out;
}

/** The canonical form of a path: `/a/b`, or `/` for the root. */
export function normalizePath(path: string, syscall = 'path'): string {
  return '/' + splitPath(path, syscall).join('/');
}

/** Joins a canonical directory path and a name. */
export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** True when canonical path `path` is `ancestor` or below it. */
export function isWithin(path: string, ancestor: string): boolean {
  return ancestor === '/' || path === ancestor || path.startsWith(ancestor + '/');
}
