// A full disk under `strata serve`: every protocol answers with its own "disk full" reply, nothing
// already stored is damaged, and writes work again once space returns.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strataOk } from '../helpers/cli.ts';
import { ftpClient, fuseClient, smbClient, webdavClient, type ProtocolClient } from '../helpers/protocol-clients.ts';
import { freePort, startServe } from '../helpers/serve.ts';
import { noise } from '../helpers/tree.ts';

const EXPECTED: Record<string, RegExp> = { webdav: /HTTP 507/, ftp: /Exceeded storage allocation|\b55[12]\b/, smb: /NT_STATUS_DISK_FULL/, fuse: /ENOSPC/ };

test('disk full: 507 / 552 / STATUS_DISK_FULL / ENOSPC, then writes resume and verify is clean', async () => {
  const mnt = mkdtempSync(join(tmpdir(), 'strata-full-serve-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mnt]);
  const fuseDir = mkdtempSync(join(tmpdir(), 'strata-full-mnt-'));
  let stop: (() => Promise<void>) | null = null;
  try {
    const ar = join(mnt, 'ar');
    strataOk(['init', ar]);
    const [w, f, s] = [await freePort(), await freePort(), await freePort()];
    const serve = await startServe(ar, ['--webdav', `127.0.0.1:${w}`, '--ftp', `127.0.0.1:${f}`, '--smb', `127.0.0.1:${s}`, '--mount', fuseDir, '--user', 'u:pw'], ['webdav', 'ftp', 'smb', 'mount'], {}, fuseDir);
    stop = serve.stop;
    const clients: ProtocolClient[] = [webdavClient(w, 'u', 'pw'), ftpClient(f, 'u', 'pw'), smbClient(s, 'u', 'pw'), fuseClient(fuseDir)];
    const kept = noise(1024 * 1024, 1);
    assert.ok((await clients[0]!.put('/kept.bin', kept)).ok);
    mkdirSync(join(mnt, 'ballast'));
    for (let i = 0; i < 48; i++) {
      try {
        writeFileSync(join(mnt, 'ballast', String(i)), Buffer.alloc(1024 * 1024));
      } catch {
        break;
      }
    }
    for (const [i, c] of clients.entries()) {
      const r = await c.put(`/full-${c.name}.bin`, noise(3 * 1024 * 1024, 10 + i));
      assert.not.ok(r.ok, `${c.name} must fail on a full disk`);
      assert.match(r.said, EXPECTED[c.name]!, `${c.name} said: ${r.said}`);
    }
    for (const c of clients) assert.ok((await c.get('/kept.bin')).data?.equals(kept), `${c.name} still reads what was stored`);
    rmSync(join(mnt, 'ballast'), { recursive: true });
    for (const [i, c] of clients.entries()) {
      const data = noise(512 * 1024, 20 + i);
      const r = await c.put(`/after-${c.name}.bin`, data);
      assert.ok(r.ok, `${c.name} writes again once space returns: ${r.said}`);
      assert.ok((await c.get(`/after-${c.name}.bin`)).data?.equals(data));
    }
    await serve.stop();
    stop = null;
    assert.match(strataOk(['verify', ar, '--read-data']).stdout, /no errors were found/);
  } finally {
    await stop?.();
    execFileSync('umount', ['-l', mnt]);
    rmSync(mnt, { recursive: true, force: true });
    rmSync(fuseDir, { recursive: true, force: true });
  }
});

test.run();
