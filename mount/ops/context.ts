// What every group of FUSE operations is built from: the Vfs, the open-file table and the op runner.
import type { Vfs } from '../../core/vfs/types.ts';
import type { HandleTable } from '../handles.ts';
import type { OpRunner } from '../runner.ts';

/** The shared state of one mount's operations. */
export interface OpsContext {
  vfs: Vfs;
  handles: HandleTable;
  runner: OpRunner;
}
