// kill -9 of `strata mount` while a writer streams files into it: the next mount recovers the stale
// mountpoint, every acknowledged (fsync + close) file is intact, and `strata verify --read-data` is clean.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startMount, strataEnv, withMount, type MountProcess } from './mount-process.ts';

const BIN = fileURLToPath(new URL('../../bin/strata.js', import.meta.url));

/** A writer in its own process: files of 1–600 KiB, each fsynced and closed, then "ACK name sha256". */
const WRITER = `
const fs = require('fs'), crypto = require('crypto');
const dir = process.argv[1];
for (let i = 0; ; i++) {
  const data = crypto.randomBytes(1024 + (i * 7919) % (600 * 1024));
  const fd = fs.openSync(dir + '/f' + i, 'w');
  for (let at = 0; at < data.length; at += 131072) fs.writeSync(fd, data, at, Math.min(131072, data.length - at), at);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  process.stdout.write('ACK f' + i + ' ' + crypto.createHash('sha256').update(data).digest('hex') + '\\n');
}`;

const test = suite('fuse: crash');

/**
 * Runs `script` (node -e) on the mount, kill -9s the mount after `ms`, then the script; returns what
 * the script printed and whether the mountpoint was stale right after the crash.
 */
async function crashWhile(proc: MountProcess, mnt: string, script: string, ms: number): Promise<{ out: string; stale: boolean }> {
  const writer = spawn(process.execPath, ['-e', script, mnt], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  writer.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const writerDone = new Promise((r) => writer.once('exit', r));
  await new Promise((r) => setTimeout(r, ms));
  proc.child.kill('SIGKILL');
  await new Promise((r) => proc.child.once('exit', r));
  // ENOTCONN once the kernel has torn the connection down, ECONNABORTED while it still is (the mount's
  // server is `strata mount`'s child, which dies a moment after it: bin/relaunch.js)
  const stale = /not connected|connection abort/.test(spawnSync('stat', [mnt], { encoding: 'utf8' }).stderr);
  writer.kill('SIGKILL');
  await writerDone;
  return { out, stale };
}

test('kill -9 during writes: remount recovers, acknowledged files intact, verify clean', async () => {
  await withMount(async ({ archive, mnt, proc }) => {
    const { out: acks, stale } = await crashWhile(proc, mnt, WRITER, 2500);
    assert.ok(stale, 'the mountpoint is stale after the crash');
    const acked = acks.split('\n').filter((l) => l.startsWith('ACK ')).map((l) => l.split(' ') as [string, string, string]);
    assert.ok(acked.length >= 3, `the writer got going (${acked.length} files acknowledged)`);

    const again = await startMount(archive, mnt);
    try {
      for (const [, name, sha] of acked) {
        const got = createHash('sha256').update(readFileSync(join(mnt, name))).digest('hex');
        assert.is(got, sha, `${name} survived the crash`);
      }
    } finally {
      assert.is(await again.stop(), 0, 'the second mount unmounts cleanly');
    }
    const verify = spawnSync(process.execPath, [BIN, 'verify', archive, '--read-data'], { env: strataEnv(), encoding: 'utf8' });
    assert.is(verify.status, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /no errors were found/);
  });
});

/** Replace-by-rename without fsync (editors, package managers): "WRITING sha256", write a temporary file, close, rename it over `cur`, "RENAMED". */
const REPLACER = `
const fs = require('fs'), crypto = require('crypto');
const dir = process.argv[1];
for (let i = 0; ; i++) {
  const data = crypto.randomBytes(1024 + (i * 7919) % (300 * 1024));
  process.stdout.write('WRITING ' + crypto.createHash('sha256').update(data).digest('hex') + '\\n');
  fs.writeFileSync(dir + '/cur.tmp', data);
  fs.renameSync(dir + '/cur.tmp', dir + '/cur');
  process.stdout.write('RENAMED\\n');
}`;

// release answers before its commit (mount/ops/files.ts), so a rename must wait for that commit: the
// file under its new name is never durable with less than the content it had when close returned.
test('kill -9 after close + rename without fsync: the renamed file holds a whole written content', async () => {
  await withMount(async ({ archive, mnt, proc }) => {
    const { out } = await crashWhile(proc, mnt, REPLACER, 2000);
    const lines = out.split('\n');
    const shas = lines.filter((l) => l.startsWith('WRITING ')).map((l) => l.slice(8));
    const renames = lines.filter((l) => l === 'RENAMED').length;
    assert.ok(renames >= 3, `the writer got going (${renames} renames)`);
    const again = await startMount(archive, mnt);
    try {
      const got = createHash('sha256').update(readFileSync(join(mnt, 'cur'))).digest('hex');
      // The last acknowledged rename's content, or the next one's (its rename may have committed before the crash).
      assert.ok(got === shas[renames - 1] || got === shas[renames], `cur holds the content of rename ${renames} or ${renames + 1} (got ${got}, ${shas.indexOf(got)})`);
    } finally {
      assert.is(await again.stop(), 0, 'the second mount unmounts cleanly');
    }
  });
});

test.run();