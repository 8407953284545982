// The archive's process registry: each process that opens an archive leaves a file named by its pid in
// `locks/` until it closes it (docs/FORMAT.md). Maintenance that must run alone reads it (prune), and a
// process that caches what the archive holds watches it (the mount's attribute cache: another process
// may commit changes this one's change feed never hears of).
import { mkdirSync, readdirSync, watch } from 'node:fs';
import { processAlive } from './process-alive.ts';

/** Ids of the live processes other than this one registered in `locksDir`. */
export function otherLiveProcesses(locksDir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(locksDir);
  } catch {
    return [];
  }
  return names.map(Number).filter((p) => Number.isInteger(p) && p !== process.pid && processAlive(p));
}

/**
 * Calls `onChange` with the other live processes registered in `locksDir`: once now, then whenever the
 * set changes (a registration or removal at once, through inotify; a process that died without
 * removing its file within `pollMs`). Returns the function that stops watching.
 */
export function watchOtherProcesses(locksDir: string, onChange: (pids: number[]) => void, pollMs = 2000): () => void {
  mkdirSync(locksDir, { recursive: true });
  let last: string | null = null;
  let stopped = false;
  const check = () => {
    if (stopped) return;
    const pids = otherLiveProcesses(locksDir);
    const key = pids.join(',');
    if (key === last) return;
    last = key;
    onChange(pids);
  };
  const watcher = watch(locksDir, check);
  watcher.on('error', () => undefined);
  watcher.unref();
  const timer = setInterval(check, pollMs);
  timer.unref();
  check();
  return () => {
    stopped = true;
    watcher.close();
    clearInterval(timer);
  };
}
