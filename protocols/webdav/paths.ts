// Request URLs to share paths and back: strict percent-decoding (invalid UTF-8, encoded '/', '.'
// and '..' segments, NUL are 400), and hrefs encoded per segment.
import { HttpError } from './errors.ts';

/** A decoded request target: the share path ('/a/b') and whether the URL ended with '/'. */
export interface DavPath {
  path: string;
  trailingSlash: boolean;
}

/** Decodes the path part of a request target (origin-form or absolute-form). */
export function decodeTarget(target: string): DavPath {
  if (target.includes('#')) throw new HttpError(400, 'a request target must not carry a fragment');
  let pathname = target;
  if (!target.startsWith('/')) {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      throw new HttpError(400, 'malformed request target');
    }
    pathname = url.pathname;
  }
  const q = pathname.indexOf('?');
  if (q >= 0) pathname = pathname.slice(0, q);
  const names: string[] = [];
  for (const raw of pathname.split('/')) {
    if (raw === '') continue;
    let name: string;
    try {
      name = decodeURIComponent(raw);
    } catch {
      throw new HttpError(400, 'the URL is not valid percent-encoded UTF-8');
    }
    if (name === '.' || name === '..') throw new HttpError(400, "'.' and '..' are not allowed in paths");
    if (name.includes('/') || name.includes('\\') || name.includes('\0')) throw new HttpError(400, "encoded '/', '\\' or NUL in a path segment");
    names.push(name);
  }
  return { path: '/' + names.join('/'), trailingSlash: pathname.endsWith('/') && names.length > 0 };
}

/** The href of a share path; collections end with '/'. */
export function hrefOf(path: string, collection: boolean): string {
  if (path === '/') return '/';
  const enc = path.split('/').map((n) => encodeURIComponent(n)).join('/');
  return collection ? `${enc}/` : enc;
}

/** The parent of a share path ('/' for top-level entries). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The last name of a share path ('' for the root). */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export { isWithin, joinPath } from '../../core/vfs/path.ts';

/** True when a share path lies inside /.snapshots. */
export function inSnapshots(path: string): boolean {
  return path === '/.snapshots' || path.startsWith('/.snapshots/');
}
