// What every group of FUSE operations is built from: the Vfs, the open-file table, the op runner and the log.
import type { Logger } from 'pino';
import type { Vfs } from '../../core/vfs/types.ts';
import type { HandleTable } from '../handles.ts';
import type { OpRunner } from '../runner.ts';

/** The shared state of one mount's operations. */
export interface OpsContext {
  vfs: Vfs;
  handles: HandleTable;
  runner: OpRunner;
  /** For failures nobody waits for (a commit after release). */
  log: Logger;
  /** Forgets a path in the mount's attribute cache (before an open for writing). */
  forgetAttrs(path: string): void;
}
