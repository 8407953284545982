// A fuse-native filesystem that does nothing: every /d<k>/f<n> is a file, every /d<k> a directory,
// answered from constants. It measures what fuse-native itself costs per request, the floor under
// any filesystem built on it. usage: node null-fs.mjs MOUNTPOINT   (SIGINT/SIGTERM unmounts)
import { createRequire } from 'node:module';

const Fuse = createRequire(import.meta.url)('fuse-native');
const mountpoint = process.argv[2];
const now = new Date();
const file = { mtime: now, atime: now, ctime: now, size: 72, mode: 0o100644, uid: 0, gid: 0, nlink: 1 };
const dir = { mtime: now, atime: now, ctime: now, size: 4096, mode: 0o40755, uid: 0, gid: 0, nlink: 2 };
const names = (prefix) => Array.from({ length: 100 }, (_, i) => prefix + i);
const ops = {
  getattr: (path, cb) => (path === '/' || /^\/d\d+$/.test(path) ? cb(0, dir) : /^\/d\d+\/f\d+$/.test(path) ? cb(0, file) : cb(Fuse.ENOENT)),
  readdir: (path, cb) => cb(0, path === '/' ? names('d') : names('f')),
};
// The same cache timeouts and per-op timeout as strata's mount (mount/index.ts).
const fuse = new Fuse(mountpoint, ops, { fsname: 'nullfs,attr_timeout=1,entry_timeout=1,negative_timeout=0', force: true, mkdir: true, timeout: 15_000 });
fuse.mount((err) => {
  if (err) {
    console.error(`null-fs: cannot mount at ${mountpoint}: ${err.message}`);
    process.exit(1);
  }
});
const stop = () => fuse.unmount(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
