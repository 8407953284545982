// Retention policies as in restic/borg: which snapshots `forget` keeps, and why.

/** How many of each kind of snapshot to keep. */
export interface RetentionPolicy {
  last?: number;
  hourly?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
  yearly?: number;
}

/** The decision for one snapshot. */
export interface RetentionDecision<T> {
  snapshot: T;
  keep: boolean;
  reasons: string[];
}

const pad = (n: number) => String(n).padStart(2, '0');

function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return `${t.getUTCFullYear()}-W${pad(Math.ceil(((t.getTime() - yearStart) / 86400000 + 1) / 7))}`;
}

const BUCKETS: Array<[keyof RetentionPolicy, (d: Date) => string]> = [
  ['hourly', (d) => d.toISOString().slice(0, 13)],
  ['daily', (d) => d.toISOString().slice(0, 10)],
  ['weekly', isoWeek],
  ['monthly', (d) => d.toISOString().slice(0, 7)],
  ['yearly', (d) => d.toISOString().slice(0, 4)],
];

/** True when the policy keeps anything at all (an empty policy would forget everything). */
export function policyIsEmpty(p: RetentionPolicy): boolean {
  return Object.values(p).every((v) => v === undefined || v === 0);
}

/**
 * Applies `policy` to snapshots (any order). Per rule, walking newest first, the newest snapshot
 * of each period (UTC hour, day, ISO week, month, year) is kept until that rule has kept N periods.
 */
export function applyRetention<T extends { time: string; name: string }>(snapshots: T[], policy: RetentionPolicy): RetentionDecision<T>[] {
  const sorted = [...snapshots].sort((a, b) => (a.time > b.time ? -1 : a.time < b.time ? 1 : a.name > b.name ? -1 : 1));
  const decisions = sorted.map((snapshot) => ({ snapshot, keep: false, reasons: [] as string[] }));
  decisions.slice(0, policy.last ?? 0).forEach((d) => {
    d.keep = true;
    d.reasons.push('last');
  });
  for (const [rule, bucketOf] of BUCKETS) {
    const limit = policy[rule] ?? 0;
    let kept = 0;
    let lastBucket: string | null = null;
    for (const d of decisions) {
      if (kept >= limit) break;
      const bucket = bucketOf(new Date(d.snapshot.time));
      if (bucket === lastBucket) continue;
      lastBucket = bucket;
      d.keep = true;
      d.reasons.push(rule);
      kept++;
    }
  }
  return decisions;
}
