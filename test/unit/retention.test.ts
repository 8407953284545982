// Retention: the same choices restic makes for keep-last/hourly/daily/weekly/monthly/yearly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyRetention } from '../../core/snapshot/retention.ts';

const snaps = (times: string[]) => times.map((time, i) => ({ name: `s${i}`, time }));
const kept = (d: Array<{ keep: boolean; snapshot: { name: string } }>) => d.filter((x) => x.keep).map((x) => x.snapshot.name).sort();

test('keep-last keeps the newest N', () => {
  const s = snaps(['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z']);
  assert.equal(kept(applyRetention(s, { last: 2 })), ['s1', 's2']);
});

test('keep-daily keeps the newest snapshot of each of the last N days that have one', () => {
  const s = snaps(['2026-01-01T01:00:00Z', '2026-01-01T23:00:00Z', '2026-01-02T05:00:00Z', '2026-01-04T05:00:00Z', '2026-01-04T06:00:00Z']);
  assert.equal(kept(applyRetention(s, { daily: 3 })), ['s1', 's2', 's4']);
});

test('weekly uses ISO weeks; monthly and yearly; rules combine as a union', () => {
  const s = snaps(['2025-12-29T00:00:00Z', '2026-01-04T00:00:00Z', '2026-01-05T00:00:00Z', '2026-02-10T00:00:00Z', '2024-06-01T00:00:00Z']);
  assert.equal(kept(applyRetention(s, { weekly: 2 })), ['s2', 's3']);
  assert.equal(kept(applyRetention(s, { weekly: 3 })), ['s1', 's2', 's3']);
  assert.equal(kept(applyRetention(s, { monthly: 2 })), ['s2', 's3']);
  assert.equal(kept(applyRetention(s, { yearly: 3 })), ['s0', 's3', 's4']);
  const d = applyRetention(s, { last: 1, yearly: 3 });
  assert.equal(d.find((x) => x.snapshot.name === 's3')!.reasons, ['last', 'yearly']);
});

test('hourly buckets by UTC hour', () => {
  const s = snaps(['2026-01-01T10:05:00Z', '2026-01-01T10:55:00Z', '2026-01-01T11:00:00Z']);
  assert.equal(kept(applyRetention(s, { hourly: 5 })), ['s1', 's2']);
});

test.run();
