// A progress bar on stderr when it is a terminal; silent otherwise (scripts, CI).
import cliProgress from 'cli-progress';

/** Shows progress of `total` units (bytes or items); update() and stop() are no-ops off a TTY. */
export function progressBar(label: string, total: number, unit: 'bytes' | 'items'): { update(n: number): void; stop(): void } {
  if (!process.stderr.isTTY || total === 0) return { update() {}, stop() {} };
  const fmt = unit === 'bytes' ? '{value_mb}/{total_mb} MiB' : '{value}/{total}';
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% ${fmt} {eta_formatted}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const mb = (n: number) => (n / 1048576).toFixed(0);
  bar.start(total, 0, { value_mb: '0', total_mb: mb(total) });
  return {
    update: (n) => bar.update(n, { value_mb: mb(n) }),
    stop: () => bar.stop(),
  };
}
