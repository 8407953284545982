// The patched fuse-native addon runs libfuse's threads as SCHED_BATCH and leaves the JavaScript
// thread alone (mount/native/patched-build.ts): checked in /proc on a live mount.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { childPids } from '../helpers/serve.ts';
import { withMount } from './mount-process.ts';

const SCHED_OTHER = 0;
const SCHED_BATCH = 3;

/** The scheduling policy of thread `tid` of `pid` (field 41 of its stat, after the parenthesised name). */
function policy(pid: number, tid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[41 - 3]);
}

/** Policies of every thread of `pid`, the main thread first. */
function threadPolicies(pid: number): number[] {
  const tids = readdirSync(`/proc/${pid}/task`).map(Number).filter((t) => t !== pid);
  return [policy(pid, pid), ...tids.map((t) => policy(pid, t))];
}

const test = suite('fuse: thread scheduling');

test('libfuse threads are SCHED_BATCH, the JavaScript thread is not', async () => {
  await withMount(async ({ mnt, proc }) => {
    // Requests from parallel processes make libfuse start more workers; they must inherit the policy.
    execFileSync('sh', ['-c', `for i in 1 2 3 4 5 6; do ls -la "${mnt}" >/dev/null & done; wait`]);
    // `strata mount` may run the mount in a child node (bin/relaunch.js): look at that process if so.
    const pid = childPids(proc.child.pid!).find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('node')) ?? proc.child.pid!;
    const [main, ...others] = threadPolicies(pid);
    assert.is(main, SCHED_OTHER, 'the JavaScript thread keeps the normal policy');
    const batch = others.filter((p) => p === SCHED_BATCH).length;
    assert.ok(batch >= 2, `at least libfuse's loop thread and one worker are batch-scheduled (found ${batch} of ${others.length})`);
  });
});

test.run();
