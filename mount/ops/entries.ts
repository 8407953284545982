// Namespace operations: getattr, readdir, mkdir, rmdir, unlink, rename, symlink, readlink (and the refused link/mknod).
import { VfsError } from '../../core/errors.ts';
import type { FuseOperations } from '../fuse-native.ts';
import { toFuseStat } from '../stat.ts';
import type { OpsContext } from './context.ts';

/** The namespace operations of one mount. */
export function entryOps({ vfs, handles, runner }: OpsContext): Pick<FuseOperations, 'getattr' | 'readdir' | 'mkdir' | 'rmdir' | 'unlink' | 'rename' | 'symlink' | 'readlink' | 'link' | 'mknod'> {
  const done = (cb: (code: number) => void) => () => cb(0);
  return {
    getattr: (path, cb) => runner.run('getattr', async () => toFuseStat(await vfs.stat(path)), (st) => cb(0, st), cb),
    readdir: (path, cb) =>
      runner.run(
        'readdir',
        async () => {
          const [self, entries] = await Promise.all([vfs.stat(path), vfs.readdir(path)]);
          const dot = toFuseStat(self);
          return { names: ['.', '..', ...entries.map((e) => e.name)], stats: [dot, dot, ...entries.map((e) => toFuseStat(e.stat))] };
        },
        ({ names, stats }) => cb(0, names, stats),
        cb,
      ),
    mkdir: (path, mode, cb) => runner.run('mkdir', () => vfs.mkdir(path, mode & 0o7777), done(cb), cb),
    rmdir: (path, cb) => runner.run('rmdir', () => vfs.rmdir(path), done(cb), cb),
    unlink: (path, cb) => runner.run('unlink', () => vfs.unlink(path), done(cb), cb),
    // A file renamed right after close commits its content first: write-then-rename-over (editors,
    // package managers) never leaves the new name durable with the old or no content.
    rename: (from, to, cb) =>
      runner.run(
        'rename',
        async () => {
          await handles.closed(from);
          await vfs.rename(from, to);
        },
        done(cb),
        cb,
      ),
    symlink: (target, path, cb) => runner.run('symlink', () => vfs.symlink(target, path), done(cb), cb),
    readlink: (path, cb) => runner.run('readlink', () => vfs.readlink(path), (t) => cb(0, t), cb),
    // strata has no hard links or device nodes: refuse them clearly (cp -a falls back to copying).
    link: (_from, to, cb) => runner.run('link', () => Promise.reject(new VfsError('EPERM', 'link', to, 'hard links are not supported')), done(cb), cb),
    mknod: (path, _mode, _dev, cb) => runner.run('mknod', () => Promise.reject(new VfsError('EPERM', 'mknod', path, 'special files are not supported')), done(cb), cb),
  };
}
