// Attributes set on a file with unflushed writes (what tar, cp -a and rsync do just before close)
// are committed with those writes, are visible at once, and survive reopening the archive.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Archive } from '../../core/archive.ts';
import { createVfs } from '../../core/vfs/vfs.ts';
import { withVfs } from '../helpers/archive.ts';

test('chmod, chown and utimens before close: visible at once, committed with the content, kept across a reopen', () =>
  withVfs(async (vfs, archive, dir) => {
    const f = await vfs.open('/f', { write: true, create: true });
    await f.write(0, Buffer.from('content'));
    const mtimeNs = 1_600_000_000_123_000_000n;
    await vfs.setattr('/f', { mtimeNs });
    await vfs.setattr('/f', { uid: 1000, gid: 100 });
    await vfs.setattr('/f', { mode: 0o600 });
    const seen = await vfs.stat('/f');
    assert.equal([seen.mode, seen.uid, seen.gid, seen.mtimeNs, seen.size], [0o600, 1000, 100, mtimeNs, 7], 'visible before close');
    await f.close();
    // Clean file, still open: a setattr commits on its own.
    const g = await vfs.open('/f');
    await vfs.setattr('/f', { mode: 0o640 });
    await g.close();
    await archive.close();
    const again = await Archive.open(`${dir}/ar`, { password: () => 'pw' });
    try {
      const st = await createVfs(again).stat('/f');
      assert.equal([st.mode, st.uid, st.gid, st.mtimeNs, st.size], [0o640, 1000, 100, mtimeNs, 7], 'committed');
    } finally {
      await again.close();
    }
  }));

test.run();
