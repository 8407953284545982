// Automatic snapshots: taken on the timer only when something changed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDuration, SnapshotScheduler } from '../../core/snapshot/scheduler.ts';
import { withVfs } from '../helpers/archive.ts';

test('durations parse; nonsense and sub-second intervals are refused', () => {
  assert.is(parseDuration('15m'), 900_000);
  assert.is(parseDuration('1h'), 3_600_000);
  assert.is(parseDuration('2d'), 172_800_000);
  assert.throws(() => parseDuration('soon'), /duration/);
  assert.throws(() => parseDuration('10ms'), /shorter than one second/);
});

test('a tick snapshots only when the tree changed, including unflushed writes', () =>
  withVfs(async (vfs, archive) => {
    const s = new SnapshotScheduler(archive, 60_000, () => vfs.flushAll());
    await vfs.writeFile('/a', Buffer.from('1'));
    assert.ok(await s.tick());
    assert.is(await s.tick(), null);
    const h = await vfs.open('/a', { write: true });
    await h.write(0, Buffer.from('2'));
    const snap = await s.tick();
    assert.ok(snap, 'unflushed write counts as a change');
    assert.is((await vfs.readdir('/.snapshots')).length, 2);
    await h.close();
    assert.is(await s.tick(), null);
  }));

test('the timer fires on its own', () =>
  withVfs(async (vfs, archive) => {
    const taken: string[] = [];
    const s = new SnapshotScheduler(archive, 1000, () => vfs.flushAll(), (r) => r.snapshot && taken.push(r.snapshot.name));
    await vfs.writeFile('/x', Buffer.from('x'));
    s.start();
    await new Promise((r) => setTimeout(r, 1500));
    await s.stop();
    assert.is(taken.length, 1);
  }));

test.run();
