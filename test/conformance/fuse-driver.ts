// The conformance driver for the FUSE mount: node fs/promises calls on the mountpoint, from the test
// process (the mount itself runs in a child process, see test/fuse/mount-process.ts).
import * as fs from 'node:fs/promises';
import type { FsClient } from './client.ts';

/** Node reports ENOTSUP as EOPNOTSUPP on Linux; everything else already carries the Vfs code name. */
function coded<T>(p: Promise<T>): Promise<T> {
  return p.catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EOPNOTSUPP') err.code = 'ENOTSUP';
    throw err;
  });
}

/** An FsClient over a mounted directory. */
export function fuseClient(root: string): FsClient {
  const at = (p: string) => root + (p.startsWith('/') ? p : `/${p}`);
  return {
    name: 'fuse',
    caps: { randomWrite: true, symlinks: true, attributes: true, exactErrors: true, concurrentHandles: true },
    writeFile: (p, data) => coded(fs.writeFile(at(p), data)),
    readFile: (p) => coded(fs.readFile(at(p))),
    mkdir: (p) => coded(fs.mkdir(at(p))),
    rmdir: (p) => coded(fs.rmdir(at(p))),
    unlink: (p) => coded(fs.unlink(at(p))),
    rename: (a, b) => coded(fs.rename(at(a), at(b))),
    list: (p) => coded(fs.readdir(at(p))),
    stat: (p) =>
      coded(
        fs.lstat(at(p)).then((s) => ({
          kind: s.isSymbolicLink() ? ('symlink' as const) : s.isDirectory() ? ('dir' as const) : ('file' as const),
          size: s.size,
          mtimeMs: s.mtimeMs,
          mode: s.mode & 0o7777,
        })),
      ),
    writeAt: (p, offset, data) =>
      coded(
        (async () => {
          const fh = await fs.open(at(p), 'r+');
          try {
            await fh.write(data, 0, data.length, offset);
          } finally {
            await fh.close();
          }
        })(),
      ),
    truncate: (p, size) => coded(fs.truncate(at(p), size)),
    symlink: (t, p) => coded(fs.symlink(t, at(p))),
    readlink: (p) => coded(fs.readlink(at(p))),
    chmod: (p, mode) => coded(fs.chmod(at(p), mode)),
    utimes: (p, ms) => coded(fs.utimes(at(p), ms / 1000, ms / 1000)),
    interleave: (a, b, pieces) =>
      coded(
        (async () => {
          const fa = await fs.open(at(a), 'w');
          const fb = await fs.open(at(b), 'w');
          try {
            const rev = [...pieces].reverse();
            for (let i = 0; i < pieces.length; i++) {
              await fa.write(pieces[i]!);
              await fb.write(rev[i]!);
            }
          } finally {
            await Promise.all([fa.close(), fb.close()]);
          }
        })(),
      ),
  };
}
