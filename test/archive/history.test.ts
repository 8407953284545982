// History: ten versions, each restorable byte-identical; forget keeps what the policy says; prune frees space and keeps the rest sound.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { Archive } from '../../core/archive.ts';
import { exportTree } from '../../core/files/export-tree.ts';
import { liveTreeReader } from '../../core/files/tree-reader.ts';
import { createVfs } from '../../core/vfs/vfs.ts';
import { strata, strataOk } from '../helpers/cli.ts';
import { withTmp } from '../helpers/tmp.ts';
import { describeTree, noise } from '../helpers/tree.ts';

const DAY = 86_400_000;

test('ten snapshots restore exactly; forget + prune keep exactly the policy and free space', () =>
  withTmp(async (dir) => {
    process.env.STRATA_KDF_N = '1024';
    const ar = join(dir, 'ar');
    await Archive.init(ar, { encrypt: true, password: () => 'pw', chunkSizeAvg: 64 * 1024 });
    const archive = await Archive.open(ar, { password: () => 'pw' });
    let clock = Date.parse('2026-03-01T12:00:00Z');
    const vfs = createVfs(archive, { clock: () => clock });
    await vfs.mkdir('/docs');
    await vfs.writeFile('/docs/keep.txt', Buffer.from('stays the same'));
    for (let i = 0; i < 10; i++) {
      clock += DAY;
      await vfs.writeFile(`/docs/round-${i}.txt`, Buffer.from(`round ${i}\n`.repeat(i + 1)));
      await vfs.writeFile('/scratch.bin', noise(512 * 1024, 100 + i));
      if (i > 0) await vfs.unlink(`/docs/round-${i - 1}.txt`);
      if (i % 3 === 0) await vfs.mkdir(`/dir-${i}`);
      if (i === 5) await vfs.rename('/dir-3', '/dir-3-renamed');
      const f = await vfs.open('/docs/keep.txt', { write: true });
      await f.write(0, Buffer.from(`S${i}`));
      await f.close();
      await vfs.mkdir(`/.snapshots/v${i}`);
      await exportTree(liveTreeReader(archive.tree), archive.store, '/', join(dir, 'expected', `v${i}`));
    }
    await archive.close();

    const pw = { password: 'pw' };
    for (let i = 0; i < 10; i++) {
      strataOk(['export', ar, '/', join(dir, 'got', `v${i}`), '--snapshot', `v${i}`], pw);
      assert.equal(describeTree(join(dir, 'got', `v${i}`)), describeTree(join(dir, 'expected', `v${i}`)), `v${i}`);
    }
    const diff = strataOk(['diff', ar, 'v3', 'v5'], pw).stdout;
    assert.match(diff, /^- \/dir-3\/$/m);
    assert.match(diff, /^\+ \/dir-3-renamed\/$/m);
    assert.match(diff, /^M \/docs\/keep\.txt$/m);
    const log = JSON.parse(strataOk(['log', ar, '/docs/keep.txt', '--json'], pw).stdout) as Array<{ snapshot: string | null }>;
    assert.is(log.length, 10, 'keep.txt changed in every snapshot and not since');

    const before = JSON.parse(strataOk(['stats', ar, '--json'], pw).stdout).storedBytes as number;
    const dry = strataOk(['forget', ar, '--keep-last', '3', '--keep-daily', '5', '--dry-run'], pw);
    assert.match(dry.stdout, /would remove 5 of 10 snapshots/);
    strataOk(['forget', ar, '--keep-last', '3', '--keep-daily', '5'], pw);
    const kept = (JSON.parse(strataOk(['snapshots', ar, '--json'], pw).stdout) as Array<{ name: string }>).map((s) => s.name);
    assert.equal(kept, ['v5', 'v6', 'v7', 'v8', 'v9']);
    const pruned = JSON.parse(strataOk(['prune', ar, '--json'], pw).stdout) as { bytesFreed: number };
    assert.ok(pruned.bytesFreed > 4 * 512 * 1024, `freed ${pruned.bytesFreed}`);
    const after = JSON.parse(strataOk(['stats', ar, '--json'], pw).stdout).storedBytes as number;
    assert.ok(after < before - 4 * 512 * 1024, `stored ${before} → ${after}`);
    const verify = strata(['verify', ar, '--read-data'], pw);
    assert.is(verify.status, 0, verify.stdout + verify.stderr);
    for (const i of [5, 9]) {
      strataOk(['export', ar, '/', join(dir, 'again', `v${i}`), '--snapshot', `v${i}`], pw);
      assert.equal(describeTree(join(dir, 'again', `v${i}`)), describeTree(join(dir, 'expected', `v${i}`)));
    }
    assert.is(strata(['export', ar, '/', join(dir, 'gone'), '--snapshot', 'v2'], pw).status, 1);
  }));

test.run();
