// FTP path arguments resolved against the working directory, lexically and never above the user's root.

/** Resolves `arg` (absolute, or relative to `cwd`) to a canonical path: `..` at the root stays at the root. */
export function resolvePath(cwd: string, arg: string): string {
  const parts = (arg.startsWith('/') ? arg : `${cwd}/${arg}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return '/' + out.join('/');
}

/** The parent directory of a canonical path (the root's parent is the root). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The last name of a canonical path ('' for the root). */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A path quoted for a 257 reply (RFC 959: embedded quotes doubled). */
export function quotePath(path: string): string {
  return `"${path.replace(/"/g, '""')}"`;
}

