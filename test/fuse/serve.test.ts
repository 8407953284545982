// The mount as a frontend of `strata serve` (mount/index.ts start): changes another frontend makes
// through the shared Vfs show through the mount within the documented 1 s bound; SIGTERM unmounts.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeArchive, strataEnv, unmountLazily } from './mount-process.ts';

const CHILD = fileURLToPath(new URL('./serve-child.ts', import.meta.url));
const BOUND_MS = 1500;

/** Polls `check` until it returns true; resolves with the milliseconds it took (throws past `limitMs`). */
async function within(limitMs: number, check: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - t0;
    if (Date.now() - t0 > limitMs) throw new Error(`not visible within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const test = suite('fuse: serve --mount');

test('another frontend\'s writes show through the mount within the bound; SIGTERM unmounts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-fuse-serve-'));
  const mnt = join(dir, 'mnt');
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, join(dir, 'ar'), mnt], { env: strataEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.on('error', () => undefined); // a child that died is reported by `exited`, not by EPIPE
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  const command = async (line: string) => {
    const before = out.split('\n').length;
    child.stdin.write(line + '\n');
    await within(10_000, async () => out.split('\n').length > before);
    assert.ok(out.trimEnd().endsWith('OK'), out);
  };
  try {
    await makeArchive(join(dir, 'ar'));
    await within(30_000, async () => out.includes('READY'));
    await command('write /shared.txt version one');
    assert.is(await readFile(join(mnt, 'shared.txt'), 'utf8'), 'version one');
    await stat(join(mnt, 'later.txt')).catch(() => undefined); // a negative lookup the kernel must not cache
    await command('write /shared.txt version two, longer');
    await command('write /later.txt appeared');
    const seen = await within(BOUND_MS, async () => (await readFile(join(mnt, 'shared.txt'), 'utf8')) === 'version two, longer');
    await within(BOUND_MS, async () => (await readFile(join(mnt, 'later.txt'), 'utf8')) === 'appeared');
    await command('unlink /later.txt');
    await within(BOUND_MS, async () => !existsSync(join(mnt, 'later.txt')));
    assert.ok(seen <= BOUND_MS);
    child.kill('SIGTERM');
    assert.is(await exited, 0, err);
    assert.not.match(readFileSync('/proc/mounts', 'utf8'), mnt);
  } finally {
    child.kill('SIGKILL');
    unmountLazily(mnt);
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
