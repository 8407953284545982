// The mount's handle table: releases close files in the background, at most 64 at a time, and
// `closed(path)` waits for the background closes of a path and of what is under it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { VfsFile } from '../../core/vfs/types.ts';
import { HandleTable } from '../../mount/handles.ts';

/** A file whose close finishes when the test says so. */
function slowFile(path: string): { file: VfsFile; finish: () => void } {
  let finish!: () => void;
  const closed = new Promise<void>((r) => (finish = r));
  return { file: { path, close: () => closed } as unknown as VfsFile, finish };
}

const settledSoon = (p: Promise<unknown>) => Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), 20))]);

test('closeLater answers at once up to 64 closes in flight, then waits for one to finish', async () => {
  const table = new HandleTable();
  const files = Array.from({ length: 65 }, (_, i) => slowFile(`/f${i}`));
  const answers = files.map(({ file }) => table.closeLater(table.add(file), file.path, () => undefined));
  assert.ok(await settledSoon(Promise.all(answers.slice(0, 64))), 'the first 64 releases answer at once');
  assert.not.ok(await settledSoon(answers[64]!), 'the 65th waits');
  files[3]!.finish();
  assert.ok(await settledSoon(answers[64]!), 'and answers once a close finished');
  for (const f of files) f.finish();
  await table.closed();
});

test('closed(path) waits for closes of that path and under it only', async () => {
  const table = new HandleTable();
  const a = slowFile('/d/a');
  const b = slowFile('/e');
  await table.closeLater(table.add(a.file), '/d/a', () => undefined);
  await table.closeLater(table.add(b.file), '/e', () => undefined);
  assert.ok(await settledSoon(table.closed('/x')), 'nothing under /x');
  assert.not.ok(await settledSoon(table.closed('/d')), '/d/a is still closing');
  a.finish();
  assert.ok(await settledSoon(table.closed('/d')));
  assert.not.ok(await settledSoon(table.closed()), '/e is still closing');
  b.finish();
  await table.closed();
});

test.run();
