// Typed access to the `fuse-native` package (CommonJS, untyped): the class, its options and the op callbacks strata uses.
import { createRequire } from 'node:module';
import type { FuseStat, FuseStatFs } from './stat.ts';

/** A callback that reports a result code (0, a byte count, or a negative errno). */
export type CodeCallback = (code: number) => void;
/** A callback that reports a result code and, on success, a value. */
export type ValueCallback<T> = (code: number, value?: T) => void;

/** The operations strata implements, in fuse-native's callback shapes. */
export interface FuseOperations {
  init(cb: CodeCallback): void;
  getattr(path: string, cb: ValueCallback<FuseStat>): void;
  readdir(path: string, cb: (code: number, names?: string[], stats?: FuseStat[]) => void): void;
  create(path: string, mode: number, cb: ValueCallback<number>): void;
  open(path: string, flags: number, cb: ValueCallback<number>): void;
  read(path: string, fd: number, buf: Buffer, len: number, pos: number, cb: CodeCallback): void;
  write(path: string, fd: number, buf: Buffer, len: number, pos: number, cb: CodeCallback): void;
  truncate(path: string, size: number, cb: CodeCallback): void;
  ftruncate(path: string, fd: number, size: number, cb: CodeCallback): void;
  flush(path: string, fd: number, cb: CodeCallback): void;
  fsync(path: string, datasync: number, fd: number, cb: CodeCallback): void;
  release(path: string, fd: number, cb: CodeCallback): void;
  unlink(path: string, cb: CodeCallback): void;
  mkdir(path: string, mode: number, cb: CodeCallback): void;
  rmdir(path: string, cb: CodeCallback): void;
  rename(from: string, to: string, cb: CodeCallback): void;
  symlink(target: string, path: string, cb: CodeCallback): void;
  readlink(path: string, cb: ValueCallback<string>): void;
  link(from: string, to: string, cb: CodeCallback): void;
  mknod(path: string, mode: number, dev: number, cb: CodeCallback): void;
  chmod(path: string, mode: number, cb: CodeCallback): void;
  chown(path: string, uid: number, gid: number, cb: CodeCallback): void;
  utimens(path: string, atimeMs: number, mtimeMs: number, cb: CodeCallback): void;
  statfs(path: string, cb: ValueCallback<FuseStatFs>): void;
  getxattr(path: string, name: string, position: number, cb: ValueCallback<Buffer>): void;
  setxattr(path: string, name: string, value: Buffer, position: number, flags: number, cb: CodeCallback): void;
  listxattr(path: string, cb: ValueCallback<string[]>): void;
  removexattr(path: string, name: string, cb: CodeCallback): void;
}

/** Mount options fuse-native understands (the subset strata sets). */
export interface FuseNativeOptions {
  /** Milliseconds per op before fuse-native answers ETIMEDOUT itself; per-op overrides, `false` disables. */
  timeout?: number | false | Record<string, number | false>;
  force?: boolean;
  mkdir?: boolean;
  fsname?: string;
  attrTimeout?: number;
  entryTimeout?: number;
  allowOther?: boolean;
  debug?: boolean;
}

/** One fuse-native mount. */
export interface FuseMount {
  readonly mnt: string;
  mount(cb: (err: Error | null) => void): void;
  unmount(cb: (err: Error | null) => void): void;
}

/** The fuse-native class. */
export interface FuseClass {
  new (mnt: string, ops: Partial<FuseOperations>, opts: FuseNativeOptions): FuseMount;
  unmount(mnt: string, cb: (err: Error | null) => void): void;
}

/** Loads fuse-native (its native part loads libfuse.so.2 here, so a missing libfuse2 fails at this call). */
export function loadFuse(): FuseClass {
  return createRequire(import.meta.url)('fuse-native') as FuseClass;
}
