// Runs `strata mount` in a child process (the test process must never call into a mount its own
// event loop serves) and tears it down — SIGTERM, then SIGKILL and a lazy unmount — whatever happens.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Archive } from '../../core/archive.ts';

const BIN = fileURLToPath(new URL('../../bin/strata.js', import.meta.url));
export const PASSWORD = 'pw';

/** Environment for strata child processes: cheap KDF, the test password. */
export function strataEnv(): NodeJS.ProcessEnv {
  return { ...process.env, STRATA_KDF_N: '1024', STRATA_PASSWORD: PASSWORD };
}

/** A `strata mount` child process. */
export interface MountProcess {
  child: ChildProcess;
  mountpoint: string;
  /** Everything the child wrote to stderr so far. */
  stderr(): string;
  /** Sends SIGTERM and waits for exit (SIGKILL after `graceMs`); resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Creates an archive at `dir` with small chunks (so tests exercise many chunks). */
export async function makeArchive(dir: string, encrypt = false): Promise<void> {
  process.env.STRATA_KDF_N = '1024';
  await Archive.init(dir, { encrypt, password: () => PASSWORD, chunkSizeAvg: 64 * 1024 });
}

/** Starts `strata mount archive mountpoint` (which creates the mountpoint, or recovers a stale one) and resolves once it printed its ready line. */
export function startMount(archive: string, mountpoint: string, extraArgs: string[] = []): Promise<MountProcess> {
  const child = spawn(process.execPath, [BIN, 'mount', archive, mountpoint, ...extraArgs], { env: strataEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const proc: MountProcess = {
    child,
    mountpoint,
    stderr: () => err,
    stop: async (graceMs = 10_000) => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      unmountLazily(mountpoint);
      return code;
    },
  };
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      void proc.stop(1000);
      fail(new Error(`strata mount did not become ready: ${err}`));
    }, 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('mounted ')) {
        clearTimeout(timer);
        ok(proc);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`strata mount exited with ${code}: ${err}`));
    });
  });
}

/** Detaches a mount if one is still there (after a crash); harmless otherwise. */
export function unmountLazily(mountpoint: string): void {
  spawnSync('fusermount', ['-uz', mountpoint], { stdio: 'ignore' });
}

/** A fresh archive mounted in a child process, for `fn`; everything is removed afterwards. */
export async function withMount<T>(fn: (m: { dir: string; archive: string; mnt: string; proc: MountProcess }) => Promise<T>, opts: { encrypt?: boolean } = {}): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-fuse-'));
  const archive = join(dir, 'ar');
  const mnt = join(dir, 'mnt');
  let proc: MountProcess | null = null;
  try {
    await makeArchive(archive, opts.encrypt);
    proc = await startMount(archive, mnt);
    return await fn({ dir, archive, mnt, proc });
  } finally {
    if (proc) await proc.stop();
    unmountLazily(mnt);
    rmSync(dir, { recursive: true, force: true });
  }
}
