// Attribute operations: chmod, chown, utimens, statfs, and the extended attributes.
import { VfsError } from '../../core/errors.ts';
import type { SetAttr } from '../../core/vfs/types.ts';
import type { FuseOperations } from '../fuse-native.ts';
import { UTIME_NOW_MS, UTIME_OMIT_MS } from '../native/patched-build.ts';
import { toFuseStatFs } from '../stat.ts';
import type { OpsContext } from './context.ts';

const XATTR_CREATE = 1;
const XATTR_REPLACE = 2;

/**
 * File capabilities: the mount is nosuid, so the kernel would ignore them at exec, yet it asks for this
 * attribute before every write(2). None is kept, and the patched addon answers that question itself.
 */
const CAPABILITY = 'security.capability';

/** The attribute names listxattr shows (an archive written before capabilities were refused may hold one). */
function listed(names: string[]): string[] {
  return names.filter((n) => n !== CAPABILITY);
}

/**
 * Refuses the attributes the kernel interprets. system.* (POSIX ACLs): strata keeps no ACLs, so it says
 * ENOTSUP and tools fall back to chmod (cp -a would otherwise "set" the mode as an ACL blob that nothing
 * applies). security.capability: setting it is ENOTSUP, reading or removing it ENODATA (see CAPABILITY).
 */
function refuseKernelXattr(path: string, name: string, syscall: string): void {
  if (name.startsWith('system.')) throw new VfsError('ENOTSUP', syscall, path, 'system.* attributes (ACLs) are not supported');
  if (name !== CAPABILITY) return;
  if (syscall === 'setxattr') throw new VfsError('ENOTSUP', syscall, path, 'file capabilities are not kept (the mount is nosuid)');
  throw new VfsError('ENODATA', syscall, path);
}

/** Nanoseconds for a utimens millisecond value; undefined for UTIME_OMIT. */
export function timeArg(ms: number, nowNs: () => bigint): bigint | undefined {
  if (ms === UTIME_OMIT_MS) return undefined;
  if (ms === UTIME_NOW_MS) return nowNs();
  return BigInt(Math.round(ms)) * 1_000_000n;
}

/** The attribute operations of one mount. */
export function attributeOps({ vfs, runner }: OpsContext): Pick<FuseOperations, 'chmod' | 'chown' | 'utimens' | 'statfs' | 'getxattr' | 'setxattr' | 'listxattr' | 'removexattr'> {
  const done = (cb: (code: number) => void) => () => cb(0);
  const nowNs = () => BigInt(Date.now()) * 1_000_000n;
  return {
    chmod: (path, mode, cb) => runner.run('chmod', () => vfs.setattr(path, { mode: mode & 0o7777 }), done(cb), cb),
    chown: (path, uid, gid, cb) => {
      // (uid_t)-1 means "leave unchanged".
      const attrs: SetAttr = {};
      if (uid !== 0xffffffff) attrs.uid = uid;
      if (gid !== 0xffffffff) attrs.gid = gid;
      runner.run('chown', () => vfs.setattr(path, attrs), done(cb), cb);
    },
    utimens: (path, atimeMs, mtimeMs, cb) => {
      const attrs: SetAttr = {};
      const atimeNs = timeArg(atimeMs, nowNs);
      const mtimeNs = timeArg(mtimeMs, nowNs);
      if (atimeNs !== undefined) attrs.atimeNs = atimeNs;
      if (mtimeNs !== undefined) attrs.mtimeNs = mtimeNs;
      runner.run('utimens', () => vfs.setattr(path, attrs), done(cb), cb);
    },
    statfs: (_path, cb) => runner.run('statfs', async () => toFuseStatFs(await vfs.statfs()), (s) => cb(0, s), cb),
    getxattr: (path, name, _position, cb) => runner.run('getxattr', async () => (refuseKernelXattr(path, name, 'getxattr'), vfs.getxattr(path, name)), (v) => cb(0, v), cb),
    setxattr: (path, name, value, _position, flags, cb) => {
      const copy = Buffer.from(value); // libfuse memory: copy before the op answers
      const mode = { create: (flags & XATTR_CREATE) !== 0, replace: (flags & XATTR_REPLACE) !== 0 };
      runner.run('setxattr', async () => (refuseKernelXattr(path, name, 'setxattr'), vfs.setxattr(path, name, copy, mode)), done(cb), cb);
    },
    listxattr: (path, cb) => runner.run('listxattr', async () => listed(await vfs.listxattr(path)), (names) => cb(0, names), cb),
    removexattr: (path, name, cb) => runner.run('removexattr', async () => (refuseKernelXattr(path, name, 'removexattr'), vfs.removexattr(path, name)), done(cb), cb),
  };
}
