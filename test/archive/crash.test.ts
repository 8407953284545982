// Crash safety: a writer killed with SIGKILL at random moments, 22 rounds; afterwards the archive
// verifies clean and every acknowledged file is byte-identical.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Archive } from '../../core/archive.ts';
import { createVfs } from '../../core/vfs/vfs.ts';
import { strata } from '../helpers/cli.ts';
import { crashContent } from '../helpers/crash-content.ts';
import { withTmp } from '../helpers/tmp.ts';

const WRITER = fileURLToPath(new URL('../helpers/crash-writer.ts', import.meta.url));
const ROUNDS = 22;

/** Runs one writer round and kills it after `killAfterMs` of writing; returns the acknowledged paths. */
function round(ar: string, r: number, killAfterMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, ar, String(r)], { env: { ...process.env, STRATA_KDF_N: '1024' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: string[] = [];
    let buf = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === 'READY') timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        else if (line.startsWith('ACK ')) acked.push(line.slice(4));
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (_code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`writer ended without being killed: ${stderr}`));
      else resolve(acked);
    });
  });
}

test(`SIGKILL during writes, ${ROUNDS} rounds: verify clean, every acknowledged file intact`, () =>
  withTmp(async (dir) => {
    process.env.STRATA_KDF_N = '1024';
    const ar = join(dir, 'ar');
    await Archive.init(ar, { encrypt: true, password: () => 'pw', chunkSizeAvg: 64 * 1024 });
    const acked: Array<{ r: number; path: string }> = [];
    let seed = 12345;
    for (let r = 0; r < ROUNDS; r++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const paths = await round(ar, r, 150 + (seed % 1200));
      acked.push(...paths.map((path) => ({ r, path })));
    }
    assert.ok(acked.length > ROUNDS * 3, `only ${acked.length} writes were acknowledged`);
    const archive = await Archive.open(ar, { password: () => 'pw' });
    try {
      const vfs = createVfs(archive);
      for (const { r, path } of acked) {
        const i = Number(path.split('/f')[1]);
        const f = await vfs.open(path);
        const got = await f.read(0, 1 << 20);
        await f.close();
        assert.ok(got.equals(crashContent(r, i)), `${path} differs after the crash`);
      }
    } finally {
      await archive.close();
    }
    const v = strata(['verify', ar, '--read-data'], { password: 'pw' });
    assert.is(v.status, 0, v.stdout + v.stderr);
  }));

test.run();
