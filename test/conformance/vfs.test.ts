// Runs the conformance suite against the Vfs directly, plain and encrypted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Archive } from '../../core/archive.ts';
import { createVfs } from '../../core/vfs/vfs.ts';
import { runConformance } from './cases.ts';
import { vfsClient } from './vfs-driver.ts';

process.env.STRATA_KDF_N = '1024';
for (const encrypt of [false, true]) {
  runConformance(`vfs (${encrypt ? 'encrypted' : 'plain'})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-conf-'));
    await Archive.init(join(dir, 'ar'), { encrypt, password: () => 'pw', chunkSizeAvg: 64 * 1024 });
    const archive = await Archive.open(join(dir, 'ar'), { password: () => 'pw' });
    return {
      client: vfsClient(createVfs(archive)),
      close: async () => {
        await archive.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}
