// Automatic snapshots: every interval, take one when the live tree changed since the last.
import type { Archive } from '../archive.ts';
import { changedSinceLastSnapshot } from './changed.ts';
import type { SnapshotInfo } from './snapshot-record.ts';
import { takeSnapshot } from './take-snapshot.ts';

/** Parses a duration such as 90s, 15m, 1h or 2d into milliseconds. */
export function parseDuration(spec: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(spec.trim());
  if (!m) throw new Error(`expected a duration such as 30s, 15m, 1h or 1d, got '${spec}'`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  const ms = Number(m[1]) * unit;
  if (ms < 1000) throw new Error(`snapshot interval '${spec}' is shorter than one second`);
  return ms;
}

/** Takes snapshots on a timer, only when something changed. */
export class SnapshotScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly archive: Archive,
    private readonly everyMs: number,
    /** Commits unflushed writes first (the Vfs's flushAll), so the snapshot holds them. */
    private readonly flush: () => Promise<void>,
    private readonly onResult: (r: { snapshot?: SnapshotInfo; error?: unknown }) => void = () => {},
  ) {}

  /** Starts the timer. */
  start(): void {
    this.timer ??= setInterval(() => {
      this.running = this.tick();
    }, this.everyMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a snapshot in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Takes a snapshot now if anything changed; returns it, or null. */
  async tick(): Promise<SnapshotInfo | null> {
    try {
      await this.flush();
      if (!changedSinceLastSnapshot(this.archive)) return null;
      const snapshot = await takeSnapshot(this.archive);
      this.onResult({ snapshot });
      return snapshot;
    } catch (error) {
      this.onResult({ error });
      return null;
    }
  }
}
