// Long-running commands (serve, mount, demo) run in a child node started with V8 heap flags, which only
// take effect at startup: a first old-generation limit of 64 MiB stops V8 from running a full collection
// for every 64 MiB of buffers a large upload passes through (53 -> 4 per GiB put over SMB; docs/smb.md).
// This process stays as a thin parent: it passes signals on and exits as the child did, and the child
// holds a pipe from it whose closing tells the child that its parent died (even by SIGKILL): the child
// then dies at once the same way, so killing the pid a script started still kills the server.
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';

const HEAP_FLAGS = ['--initial-old-space-size=64'];
const LONG_RUNNING = new Set(['serve', 'mount', 'demo']);
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];
const LIFELINE_FD = 3;
const WATCH_LIFELINE = `
  const { Socket } = require('node:net');
  const { workerData } = require('node:worker_threads');
  const die = () => process.kill(process.pid, 'SIGKILL');
  new Socket({ fd: workerData, readable: true, writable: false }).on('end', die).on('close', die).on('error', die).resume();
`;

/**
 * In a relaunched child: dies by SIGKILL when the parent's end of the lifeline closes. Elsewhere, for a
 * long-running command: starts the child and returns true (this process must then do nothing else).
 */
export function relaunch() {
  if (process.env.STRATA_LIFELINE === String(LIFELINE_FD)) {
    delete process.env.STRATA_LIFELINE;
    // A thread of its own watches the pipe, so the child dies at once even while its event loop is busy.
    const watcher = new Worker(WATCH_LIFELINE, { eval: true, workerData: LIFELINE_FD });
    watcher.unref();
    return false;
  }
  if (!LONG_RUNNING.has(process.argv[2] ?? '') || process.env.STRATA_NO_RELAUNCH) return false;
  if (process.execArgv.some((a) => a.startsWith('--initial-old-space-size'))) return false;
  const child = spawn(process.execPath, [...HEAP_FLAGS, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    env: { ...process.env, STRATA_LIFELINE: String(LIFELINE_FD) },
  });
  // A terminal's Ctrl-C reaches both processes; the child takes a repeated SIGINT as the same request.
  for (const s of FORWARDED) process.on(s, () => child.kill(s));
  child.on('error', (err) => {
    process.stderr.write(`strata: cannot start node: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    for (const s of FORWARDED) process.removeAllListeners(s);
    process.kill(process.pid, signal);
  });
  return true;
}
