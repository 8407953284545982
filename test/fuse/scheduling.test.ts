// The patched fuse-native addon runs the libfuse thread that hands a request to JavaScript as
// SCHED_BATCH while enough requests are in flight (mount/native/patched-build.ts), and never touches
// the JavaScript thread: checked in /proc on live mounts, with the threshold set through the environment.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BATCH_ENV } from '../../mount/native/patched-build.ts';
import { childPids } from '../helpers/serve.ts';
import { withMount } from './mount-process.ts';

const SCHED_OTHER = 0;
const SCHED_BATCH = 3;

/** The scheduling policy of thread `tid` of `pid` (field 41 of its stat, after the parenthesised name). */
function policy(pid: number, tid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[41 - 3]);
}

/** The policy of the main thread, and how many other threads are batch-scheduled, after requests from parallel processes. */
async function policiesAfterLoad(batchFrom: string): Promise<{ main: number; batch: number }> {
  const saved = process.env[BATCH_ENV];
  process.env[BATCH_ENV] = batchFrom;
  try {
    return await withMount(async ({ mnt, proc }) => {
      execFileSync('sh', ['-c', `for i in 1 2 3 4 5 6; do ls -la "${mnt}" >/dev/null & done; wait`]);
      const pid = childPids(proc.child.pid!)[0] ?? proc.child.pid!; // the mount: bin/strata.js's child node
      const others = readdirSync(`/proc/${pid}/task`).map(Number).filter((t) => t !== pid);
      return { main: policy(pid, pid), batch: others.filter((t) => policy(pid, t) === SCHED_BATCH).length };
    });
  } finally {
    if (saved === undefined) delete process.env[BATCH_ENV];
    else process.env[BATCH_ENV] = saved;
  }
}

const test = suite('fuse: thread scheduling');

test('from one request in flight: the libfuse threads that handled requests are batch, the JavaScript thread is not', async () => {
  const { main, batch } = await policiesAfterLoad('1');
  assert.is(main, SCHED_OTHER);
  assert.ok(batch >= 1, `a libfuse thread is batch-scheduled (found ${batch})`);
});

test('with a threshold never reached, no thread is batch-scheduled', async () => {
  const { main, batch } = await policiesAfterLoad('1000');
  assert.is(main, SCHED_OTHER);
  assert.is(batch, 0);
});

test.run();
