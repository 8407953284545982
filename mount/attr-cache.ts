// The JavaScript side of the mount's attribute cache (native/attr-cache.c, in the patched addon): the
// addon answers a repeated getattr on the libfuse thread, from stats this side marks settled, and this
// side tells it what to forget, so that the cache is never staler than the Vfs:
// - each change the Vfs publishes forgets its path(s) and their parents (a directory renamed: all);
// - each open for writing through the mount forgets the file first (its stat is unsettled from then
//   until the change feed reports its commit);
// - while another process has the archive open (it may commit changes this one's feed never hears of),
//   the cache is off; it goes off the moment that process registers (inotify on the archive's locks/);
// - entries expire after `ttlMs` in any case.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Vfs, VfsChange } from '../core/vfs/types.ts';
import type { FuseMount } from './fuse-native.ts';

/** st_dev value that marks a getattr answer cacheable (the kernel ignores st_dev from FUSE). */
export const CACHEABLE_DEV = 0x53545241;

interface AttrCacheBinding {
  strata_attr_cache_forget(thread: Buffer, path: string): void;
  strata_attr_cache_reset(thread: Buffer, ttlMs: number): void;
}

/** The forget/reset calls of the patched addon, or null when the stock addon is loaded. */
function loadBinding(): AttrCacheBinding | null {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('fuse-native/package.json'));
  const binding = (require('node-gyp-build') as (d: string) => Partial<AttrCacheBinding>)(dir);
  return typeof binding.strata_attr_cache_forget === 'function' && typeof binding.strata_attr_cache_reset === 'function' ? (binding as AttrCacheBinding) : null;
}

/** One mount's attribute cache. */
export interface AttrCache {
  /** Forgets `path` and its parent. */
  forget(path: string): void;
  /** Forgets everything. */
  clear(): void;
  /** Stops following the Vfs and turns the cache off. */
  stop(): void;
}

const OFF: AttrCache = { forget: () => undefined, clear: () => undefined, stop: () => undefined };

/** Forgets what `change` makes stale. */
function forgetChange(cache: AttrCache, change: VfsChange): void {
  if (change.action === 'renamed' && change.kind === 'dir') return cache.clear();
  cache.forget(change.path);
  if (change.from !== undefined) cache.forget(change.from);
}

/** Watches the other processes that have the archive open (see FrontendContext.watchOtherProcesses). */
export type OtherProcessesWatch = (onChange: (pids: number[]) => void) => () => void;

/**
 * Turns the cache of `fuse` (mounted) on with entries kept `ttlMs` at most, following `vfs`'s changes,
 * while `watchOthers` reports no other process; a no-op cache when `ttlMs` is 0, nothing watches the
 * other processes, or the addon has no cache.
 */
export function startAttrCache(fuse: FuseMount, vfs: Vfs, ttlMs: number, watchOthers?: OtherProcessesWatch): AttrCache {
  const thread = (fuse as unknown as { _thread?: Buffer })._thread;
  if (ttlMs <= 0 || !thread || !watchOthers) return OFF;
  const binding = loadBinding();
  if (!binding) return OFF;
  const ttl = Math.max(1, Math.round(ttlMs));
  let stopped = false;
  let alone = false;
  const cache: AttrCache = {
    forget: (path) => alone && binding.strata_attr_cache_forget(thread, path),
    clear: () => alone && binding.strata_attr_cache_reset(thread, ttl),
    stop: () => {
      if (stopped) return;
      stopped = true;
      alone = false;
      unwatch();
      unwatchOthers();
      binding.strata_attr_cache_reset(thread, 0);
    },
  };
  const unwatch = vfs.watch((change) => forgetChange(cache, change));
  let unwatchOthers: () => void;
  try {
    unwatchOthers = watchOthers((pids) => {
      if (stopped) return;
      alone = pids.length === 0;
      binding.strata_attr_cache_reset(thread, alone ? ttl : 0);
    });
  } catch {
    // No inotify watch to be had (the watch limit reached): without it the cache could not go off in
    // time for another process, so it stays off.
    unwatch();
    return OFF;
  }
  return cache;
}
