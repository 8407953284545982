// The FUSE frontend: mounts a Vfs at a directory through fuse-native (libfuse 2), for `strata mount`
// and `strata serve --mount DIR`. Every op is a thin call into the Vfs (see ops/); errors map in errors.ts.
import type { Logger } from 'pino';
import { resolve } from 'node:path';
import type { Vfs } from '../core/vfs/types.ts';
import type { FrontendContext, RequestEvent, RunningFrontend } from '../protocols/frontend.ts';
import { loadFuse, type FuseMount, type FuseNativeOptions, type FuseOperations } from './fuse-native.ts';
import { startAttrCache, type AttrCache } from './attr-cache.ts';
import { HandleTable } from './handles.ts';
import { ensurePatchedFuse } from './native/patched-build.ts';
import { attributeOps } from './ops/attributes.ts';
import { entryOps } from './ops/entries.ts';
import { fileOps } from './ops/files.ts';
import { OpRunner } from './runner.ts';

/** Options of a mount; only `mountpoint` is required. */
export interface MountOptions {
  mountpoint: string;
  /** Seconds the kernel may cache attributes and names (default 1; at most this long before another frontend's change shows). */
  cacheSeconds?: number;
  /**
   * Seconds the mount itself keeps the attributes of a file no handle has open (default 30; 0: off).
   * Changes made through any frontend of this process drop them at once; this bounds how late a change
   * committed by another process (`strata import` into a served archive) shows.
   */
  statCacheSeconds?: number;
  /** Let other users reach the mount (needs `user_allow_other` in /etc/fuse.conf when not root). */
  allowOther?: boolean;
  /** Milliseconds before fuse-native answers a slow op with ETIMEDOUT (default 15 s; write/flush/fsync/release/snapshots 10 min). */
  opTimeoutMs?: number;
  /** libfuse debug output on stderr. */
  debug?: boolean;
}

/** A mounted Vfs. */
export interface Mounted {
  readonly mountpoint: string;
  /** Unmounts (lazily, so a busy mount still detaches) and closes every file left open, flushing it. */
  unmount(): Promise<void>;
}

// write too: it hands libfuse's own buffer to the Vfs, so it must never be answered (and the buffer
// reused) while the Vfs still reads it, as fuse-native's timeout would do to a write held by backpressure.
const LONG_OPS = ['write', 'flush', 'fsync', 'release', 'truncate', 'ftruncate', 'mkdir', 'rmdir'];
const LONG_TIMEOUT_MS = 10 * 60_000;
/** MountOptions.statCacheSeconds when not given. */
export const DEFAULT_STAT_CACHE_SECONDS = 30;

/** The fuse-native options strata mounts with. */
export function fuseOptions(opts: MountOptions): FuseNativeOptions {
  const cache = Math.min(1, Math.max(0, opts.cacheSeconds ?? 1));
  const timeout: Record<string, number> = { default: opts.opTimeoutMs ?? 15_000 };
  for (const op of LONG_OPS) timeout[op] = Math.max(timeout.default!, LONG_TIMEOUT_MS);
  return {
    // fuse-native joins options with commas, so extra libfuse options ride along in fsname:
    // 128 KiB writes instead of 4 KiB ones; negative lookups are not cached (a file another
    // frontend creates shows at once); attr/entry timeouts bound how stale the kernel's view is.
    fsname: `strata,big_writes,max_write=131072,max_read=131072,negative_timeout=0,attr_timeout=${cache},entry_timeout=${cache}`,
    force: true,
    mkdir: true,
    timeout,
    ...(opts.allowOther ? { allowOther: true } : {}),
    ...(opts.debug ? { debug: true } : {}),
  };
}

/** Builds fuse-native's op table over `vfs`. */
export function fuseOperations(vfs: Vfs, handles: HandleTable, runner: OpRunner, log: Logger, forgetAttrs: (path: string) => void): Partial<FuseOperations> {
  const ctx = { vfs, handles, runner, log, forgetAttrs };
  return { ...entryOps(ctx), ...fileOps(ctx), ...attributeOps(ctx) };
}

/** What a mount hears from the server around it. */
export interface MountHooks {
  /** Finished requests (metrics). */
  observe?: (e: RequestEvent) => void;
  /** The other processes that have the archive open: the attribute cache is off while there are any. */
  watchOtherProcesses?: (onChange: (pids: number[]) => void) => () => void;
}

/** Mounts `vfs` at `opts.mountpoint`; resolves once the kernel answered the first request. */
export async function mountVfs(vfs: Vfs, opts: MountOptions, log: Logger, hooks: MountHooks = {}): Promise<Mounted> {
  const observe = hooks.observe ?? (() => undefined);
  try {
    ensurePatchedFuse();
  } catch (err) {
    log.warn({ err }, 'could not build the patched fuse-native addon: mtimes set through the mount (touch, cp -a, rsync) will be wrong');
  }
  const Fuse = loadFuse();
  const mountpoint = resolve(opts.mountpoint);
  const handles = new HandleTable();
  let attrs: AttrCache | null = null;
  const ops = fuseOperations(vfs, handles, new OpRunner(log, observe), log, (path) => attrs?.forget(path));
  const fuse: FuseMount = new Fuse(mountpoint, ops, fuseOptions(opts));
  await new Promise<void>((ok, fail) => fuse.mount((err) => (err ? fail(new Error(`cannot mount at ${mountpoint}: ${err.message}`)) : ok())));
  attrs = startAttrCache(fuse, vfs, Math.max(0, opts.statCacheSeconds ?? DEFAULT_STAT_CACHE_SECONDS) * 1000, hooks.watchOtherProcesses);
  let unmounting: Promise<void> | null = null;
  return {
    mountpoint,
    unmount: () =>
      (unmounting ??= (async () => {
        attrs?.stop();
        await new Promise<void>((ok) =>
          fuse.unmount((err) => {
            if (err) log.error({ err, mountpoint }, 'unmount failed');
            ok();
          }),
        );
        const left = await Promise.allSettled(handles.drain().map((f) => f.close()));
        for (const r of left) if (r.status === 'rejected') log.error({ err: r.reason }, 'closing a file at unmount failed');
        await handles.closed();
      })()),
  };
}

/** The `strata serve --mount DIR` frontend: mounts the full-rights Vfs of the local user. */
export async function start(ctx: FrontendContext, opts: Record<string, unknown>): Promise<RunningFrontend> {
  const options = opts as unknown as MountOptions;
  if (typeof options.mountpoint !== 'string' || options.mountpoint === '') throw new Error('the mount frontend needs a mountpoint');
  const vfs = ctx.vfsFor({ name: 'local', home: '/', readOnly: false, snapshotCreate: true, snapshotDelete: true });
  const mounted = await mountVfs(vfs, options, ctx.log, { observe: (e) => ctx.observe(e), watchOtherProcesses: ctx.watchOtherProcesses });
  return { name: 'mount', urls: [mounted.mountpoint], close: () => mounted.unmount() };
}
