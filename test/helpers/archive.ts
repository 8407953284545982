// A fresh archive and Vfs in a temp dir for in-process tests, closed and removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Archive } from '../../core/archive.ts';
import { createVfs, type ArchiveVfs, type VfsOptions } from '../../core/vfs/vfs.ts';

/** Runs `fn` with an open archive and its Vfs; cleans up even when `fn` throws. */
export async function withVfs<T>(fn: (vfs: ArchiveVfs, archive: Archive, dir: string) => Promise<T>, opts: { encrypt?: boolean; chunkSizeAvg?: number; vfs?: VfsOptions } = {}): Promise<T> {
  process.env.STRATA_KDF_N = '1024';
  const dir = mkdtempSync(join(tmpdir(), 'strata-vfs-'));
  let archive: Archive | null = null;
  try {
    await Archive.init(join(dir, 'ar'), { encrypt: opts.encrypt, password: () => 'pw', chunkSizeAvg: opts.chunkSizeAvg ?? 64 * 1024 });
    archive = await Archive.open(join(dir, 'ar'), { password: () => 'pw' });
    return await fn(createVfs(archive, opts.vfs), archive, dir);
  } finally {
    await archive?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
