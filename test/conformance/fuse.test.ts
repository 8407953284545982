// Runs the conformance suite through a real FUSE mount: `strata mount` in a child process, node fs here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeArchive, startMount, unmountLazily } from '../fuse/mount-process.ts';
import { runConformance } from './cases.ts';
import { fuseClient } from './fuse-driver.ts';

runConformance('fuse', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-conf-fuse-'));
  const mnt = join(dir, 'mnt');
  try {
    await makeArchive(join(dir, 'ar'));
    const proc = await startMount(join(dir, 'ar'), mnt);
    return {
      client: fuseClient(mnt),
      close: async () => {
        await proc.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    unmountLazily(mnt);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
});
