// The last line of defence of a long-running server: a stray rejected promise (lmdb-js rejects every
// write promise of a failed commit, e.g. on a full disk) is logged, not allowed to end the process.
import type { Logger } from 'pino';

/** Logs unhandled rejections instead of exiting; installed once by `serve` and `mount`. */
export function installCrashGuard(log: Pick<Logger, 'error'>): void {
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled rejection (kept serving)');
  });
}
