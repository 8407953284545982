// Starts `strata serve` as a child process (as a user would) and stops it, unmounting whatever it mounted.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/strata.js', import.meta.url));

/** A free TCP port on 127.0.0.1 (bound and released; good enough for tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The processes `pid` started and that are still its children (a server's is `bin/strata.js`'s child node: bin/relaunch.js). */
export function childPids(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

/** A running `strata serve` child. */
export interface ServeProcess {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Runs `strata serve ARCHIVE ...args` and resolves once every frontend in `expect` printed its line. */
export async function startServe(archive: string, args: string[], expect: string[], env: Record<string, string> = {}, mountpoint?: string): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', archive, ...args], { env: { ...process.env, STRATA_KDF_N: '1024', STRATA_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const done = new Promise((r) => child.once('exit', r));
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await done;
      clearTimeout(timer);
    }
    if (mountpoint) spawnSync('fusermount', ['-uz', mountpoint]);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start in 30 s:\n${out}`)), 30_000);
      const check = () => {
        if (expect.every((name) => new RegExp(`^${name}: `, 'm').test(out))) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stderr!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`serve exited with ${code}:\n${out}`));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { child, output: () => out, stop };
}

/** What a command run returned. */
export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
  out: Buffer;
}

/** How to run a command: its working directory, extra environment and how long before it is killed (default 60 s). */
export interface RunOptions {
  cwd?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
}

/** Runs a command and returns its stdout, or throws with everything it printed when it fails. */
export async function runOk(cmd: string, args: string[], input?: Buffer | string, opts: RunOptions = {}): Promise<string> {
  const r = await run(cmd, args, input, { timeoutMs: 120_000, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Runs a command without blocking the event loop (a FUSE client in this process must keep going); never throws. */
export function run(cmd: string, args: string[], input?: Buffer | string, opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: opts.cwd, env: { ...process.env, ...opts.env } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    const finish = (status: number) => {
      clearTimeout(timer);
      const o = Buffer.concat(out);
      resolve({ status, stdout: o.toString(), stderr: Buffer.concat(err).toString(), out: o });
    };
    child.on('error', (e) => {
      err.push(Buffer.from(String(e)));
      finish(-1);
    });
    child.on('close', (code) => finish(code ?? -1));
  });
}
