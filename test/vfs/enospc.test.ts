// A full disk: writes fail with ENOSPC, nothing stored is damaged, and writing resumes when space returns.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Archive } from '../../core/archive.ts';
import { isVfsError } from '../../core/errors.ts';
import { verifyArchive } from '../../core/maintenance/verify.ts';
import { createVfs } from '../../core/vfs/vfs.ts';
import { noise } from '../helpers/tree.ts';

/** A new 24 MiB filesystem: tmpfs (no O_DIRECT, so packs go through the page cache) or ext4 on a loop device (packs written with O_DIRECT). */
function mountSmall(kind: 'tmpfs' | 'ext4'): { mnt: string; unmount: () => void } {
  const mnt = mkdtempSync(join(tmpdir(), 'strata-full-'));
  const image = `${mnt}.img`;
  if (kind === 'tmpfs') execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mnt]);
  else {
    writeFileSync(image, '');
    truncateSync(image, 24 * 1024 * 1024);
    execFileSync('mkfs.ext4', ['-q', '-F', '-m', '0', image]);
    execFileSync('mount', ['-o', 'loop', image, mnt]);
  }
  return {
    mnt,
    unmount: () => {
      execFileSync('umount', kind === 'tmpfs' ? ['-l', mnt] : [mnt]);
      rmSync(mnt, { recursive: true, force: true });
      rmSync(image, { force: true });
    },
  };
}

async function fillAndRecover(kind: 'tmpfs' | 'ext4'): Promise<void> {
  process.env.STRATA_KDF_N = '1024';
  const { mnt, unmount } = mountSmall(kind);
  let archive: Archive | null = null;
  try {
    mkdirSync(join(mnt, 'ar'));
    await Archive.init(join(mnt, 'ar'), { chunkSizeAvg: 64 * 1024 });
    archive = await Archive.open(join(mnt, 'ar'));
    const vfs = createVfs(archive);
    await vfs.writeFile('/kept.bin', noise(2 * 1024 * 1024, 1));
    writeFileSync(join(mnt, 'ballast'), Buffer.alloc(12 * 1024 * 1024));
    let code = '';
    for (let i = 0; i < 40 && !code; i++) {
      await vfs.writeFile(`/fill-${i}.bin`, noise(1024 * 1024, 100 + i)).catch((err) => {
        code = isVfsError(err) ? err.code : `not a VfsError: ${String(err)}`;
      });
    }
    assert.is(code, 'ENOSPC');
    const f = await vfs.open('/kept.bin');
    assert.ok((await f.read(0, 4 << 20)).equals(noise(2 * 1024 * 1024, 1)));
    await f.close();
    rmSync(join(mnt, 'ballast'));
    await vfs.writeFile('/after.bin', noise(1024 * 1024, 999));
    const g = await vfs.open('/after.bin');
    assert.ok((await g.read(0, 2 << 20)).equals(noise(1024 * 1024, 999)));
    await g.close();
    const report = await verifyArchive(archive, true);
    assert.ok(report.ok, JSON.stringify(report.problems));
  } finally {
    await archive?.close().catch(() => undefined);
    unmount();
  }
}

test('ENOSPC surfaces as ENOSPC, the archive stays sound, and writes resume when space returns (tmpfs: page cache)', () => fillAndRecover('tmpfs'));
test('ENOSPC surfaces as ENOSPC, the archive stays sound, and writes resume when space returns (ext4: O_DIRECT)', () => fillAndRecover('ext4'));

test.run();
