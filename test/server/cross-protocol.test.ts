// One `strata serve` with every frontend: what one protocol writes, every other reads byte-identical;
// renames and deletes are seen everywhere within the documented bound (1 s: the FUSE attribute
// timeout); a snapshot taken through WebDAV is listed everywhere and refuses writes in each protocol.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { strataOk } from '../helpers/cli.ts';
import { eventually, ftpClient, fuseClient, smbClient, webdavClient, type ProtocolClient } from '../helpers/protocol-clients.ts';
import { freePort, startServe } from '../helpers/serve.ts';
import { withTmp } from '../helpers/tmp.ts';
import { noise } from '../helpers/tree.ts';

test('every frontend sees what every other wrote; snapshots are shared and read-only everywhere', () =>
  withTmp(async (dir) => {
    const ar = join(dir, 'ar');
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    strataOk(['init', ar]);
    const [w, f, s] = [await freePort(), await freePort(), await freePort()];
    const serve = await startServe(ar, ['--webdav', `127.0.0.1:${w}`, '--ftp', `127.0.0.1:${f}`, '--smb', `127.0.0.1:${s}`, '--mount', mnt, '--user', 'u:pw'], ['webdav', 'ftp', 'smb', 'mount'], {}, mnt);
    try {
      const clients: ProtocolClient[] = [webdavClient(w, 'u', 'pw'), ftpClient(f, 'u', 'pw'), smbClient(s, 'u', 'pw'), fuseClient(mnt)];
      for (const [i, writer] of clients.entries()) {
        const data = noise(300_000 + i * 1000, 50 + i);
        const put = await writer.put(`/from-${writer.name}.bin`, data);
        assert.ok(put.ok, `${writer.name} put: ${put.said}`);
        for (const reader of clients) {
          const seen = await eventually(async () => !!(await reader.get(`/from-${writer.name}.bin`)).data?.equals(data));
          assert.ok(seen, `${reader.name} reads what ${writer.name} wrote`);
        }
      }
      const rn = await clients[1]!.rename('/from-ftp.bin', '/renamed.bin');
      assert.ok(rn.ok, `ftp rename: ${rn.said}`);
      const del = await clients[0]!.remove('/from-smb.bin');
      assert.ok(del.ok, `webdav delete: ${del.said}`);
      for (const c of clients) {
        assert.ok(await eventually(async () => {
          const names = (await c.list('/')).names ?? [];
          return names.includes('renamed.bin') && !names.includes('from-ftp.bin') && !names.includes('from-smb.bin');
        }), `${c.name} sees the rename and the delete`);
      }

      const snap = await clients[0]!.mkdir('/.snapshots/x');
      assert.ok(snap.ok, `MKCOL /.snapshots/x: ${snap.said}`);
      for (const c of clients) {
        const listed = await c.list('/.snapshots');
        assert.ok(listed.names?.includes('x'), `${c.name} lists /.snapshots/x (${listed.said}: ${listed.names})`);
        const inside = await c.get('/.snapshots/x/renamed.bin');
        assert.ok(inside.data?.equals(noise(301_000, 51)), `${c.name} reads inside the snapshot`);
        const write = await c.put('/.snapshots/x/renamed.bin', Buffer.from('overwrite'));
        assert.not.ok(write.ok, `${c.name} must refuse a write into a snapshot`);
        const rm = await c.remove('/.snapshots/x/renamed.bin');
        assert.not.ok(rm.ok, `${c.name} must refuse a delete in a snapshot`);
      }
    } finally {
      await serve.stop();
    }
    const v = strataOk(['verify', ar, '--read-data']);
    assert.match(v.stdout, /no errors were found/);
  }));

test.run();
