// File operations: create/open/read/write/truncate/flush/fsync/release, over VfsFile handles.
import { releaseParts } from '../../core/files/content.ts';
import type { OpenFlags } from '../../core/vfs/types.ts';
import type { FuseOperations } from '../fuse-native.ts';
import type { OpsContext } from './context.ts';

const O_ACCMODE = 0o3;
const O_TRUNC = 0o1000;
const O_APPEND = 0o2000;

/** Vfs open flags for POSIX open(2) flags (O_CREAT/O_EXCL are settled by the kernel before FUSE open). */
export function openFlags(flags: number): OpenFlags {
  return { write: (flags & O_ACCMODE) !== 0, truncate: (flags & O_TRUNC) !== 0, append: (flags & O_APPEND) !== 0 };
}

/** The file operations of one mount. */
export function fileOps({ vfs, handles, runner, log, forgetAttrs }: OpsContext): Pick<FuseOperations, 'create' | 'open' | 'read' | 'write' | 'truncate' | 'ftruncate' | 'flush' | 'fsync' | 'release'> {
  const done = (cb: (code: number) => void) => () => cb(0);
  return {
    // The new entry is written with the file's first commit (deferCreate): nothing is acknowledged
    // before the file's fsync or release, which commit it, and the kernel never asks for an inode number.
    create: (path, mode, cb) =>
      runner.run(
        'create',
        async () => {
          forgetAttrs(path);
          return handles.add(await vfs.open(path, { write: true, create: true, deferCreate: true, mode: mode & 0o7777 }));
        },
        (fd) => cb(0, fd),
        cb,
      ),
    open: (path, flags, cb) =>
      runner.run(
        'open',
        async () => {
          const how = openFlags(flags);
          if (how.write) forgetAttrs(path);
          return handles.add(await vfs.open(path, how));
        },
        (fd) => cb(0, fd),
        cb,
      ),
    read: (_path, fd, buf, len, pos, cb) =>
      runner.run(
        'read',
        async () => {
          const parts = await handles.get(fd, 'read').readParts(pos, len);
          // `buf` is libfuse memory, valid only until cb: copy into it, keep nothing.
          let n = 0;
          for (const p of parts) n += p.copy(buf, n, 0, Math.min(p.length, len - n));
          releaseParts(parts);
          return n;
        },
        cb,
        cb,
        (n) => ({ bytesOut: n }),
      ),
    // `buf` is libfuse memory, valid until this op answers; VfsFile.write keeps nothing of it once it
    // settles (the chunker and staging copy), so it is passed on without a copy of its own.
    write: (_path, fd, buf, len, pos, cb) => runner.run('write', () => handles.get(fd, 'write').write(pos, buf.subarray(0, len)), cb, cb, (n) => ({ bytesIn: n })),
    truncate: (path, size, cb) => runner.run('truncate', () => vfs.setattr(path, { size }), done(cb), cb),
    ftruncate: (_path, fd, size, cb) => runner.run('ftruncate', () => handles.get(fd, 'ftruncate').truncate(size), done(cb), cb),
    // close(2) waits for flush but not for release, and nothing waits for release's answer but the
    // kernel, whose path lock keeps an unlink or rename of the file waiting meanwhile. So release answers
    // at once and the commit runs on: the next file starts while this one commits (group commits for
    // tar and cp), and an unlink of it does not wait for it. A rename waits (ops/entries.ts), so that a
    // file replaced by rename is never durable under its new name before its content. Durable on fsync.
    flush: (_path, fd, cb) => runner.run('flush', async () => void handles.get(fd, 'flush'), done(cb), cb),
    fsync: (_path, _datasync, fd, cb) => runner.run('fsync', () => handles.get(fd, 'fsync').fsync(), done(cb), cb),
    release: (path, fd, cb) =>
      runner.run('release', () => handles.closeLater(fd, path, (err) => log.error({ err, path }, 'committing a released file failed')), done(cb), cb),
  };
}
