// Prometheus metrics and /healthz on their own loopback listener.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Archive } from '../archive.ts';
import { archiveStats, type ArchiveStats } from '../maintenance/stats.ts';
import { SnapshotCatalog } from '../snapshot/catalog.ts';
import type { RequestEvent } from '../../protocols/frontend.ts';

/** Per-protocol request metrics plus store gauges computed when scraped. */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'strata_requests_total', help: 'Finished protocol requests', labelNames: ['protocol', 'op', 'result'], registers: [this.registry] });
  private readonly errors = new Counter({ name: 'strata_request_errors_total', help: 'Failed protocol requests by error', labelNames: ['protocol', 'error'], registers: [this.registry] });
  private readonly bytes = new Counter({ name: 'strata_bytes_total', help: 'Bytes transferred', labelNames: ['protocol', 'direction'], registers: [this.registry] });
  private readonly latency = new Histogram({ name: 'strata_request_duration_seconds', help: 'Request latency', labelNames: ['protocol'], buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10, 60], registers: [this.registry] });
  private cached: { at: number; stats: ArchiveStats } | null = null;

  constructor(private readonly archive: Archive, private readonly clock: () => number = Date.now) {
    const stat = (name: string, help: string, pick: (s: ArchiveStats) => number) =>
      new Gauge({ name, help, registers: [this.registry], collect: async function (this: Gauge) { this.set(pick(await metrics.stats())); } });
    const metrics = this;
    stat('strata_store_logical_bytes', 'Logical bytes in the live tree', (s) => s.logicalBytes);
    stat('strata_store_stored_bytes', 'Bytes in pack files', (s) => s.storedBytes);
    stat('strata_store_dedup_ratio', 'Logical bytes / unique chunk bytes', (s) => s.dedupRatio);
    stat('strata_store_compression_ratio', 'Unique chunk bytes / stored blob bytes', (s) => s.compressionRatio);
    new Gauge({ name: 'strata_snapshots', help: 'Snapshots in the catalog', registers: [this.registry], collect: function (this: Gauge) { this.set(new SnapshotCatalog(archive.db).list().length); } });
    new Gauge({
      name: 'strata_snapshot_newest_age_seconds', help: 'Age of the newest snapshot (-1 when none)', registers: [this.registry],
      collect: function (this: Gauge) {
        const newest = new SnapshotCatalog(archive.db).list().at(-1);
        this.set(newest ? (clock() - Date.parse(newest.time)) / 1000 : -1);
      },
    });
  }

  /** Store stats, recomputed at most once a minute (they walk the whole index). */
  async stats(): Promise<ArchiveStats> {
    if (!this.cached || this.clock() - this.cached.at > 60_000) this.cached = { at: this.clock(), stats: await archiveStats(this.archive) };
    return this.cached.stats;
  }

  /** Records one finished request. */
  observe(e: RequestEvent): void {
    this.requests.inc({ protocol: e.protocol, op: e.op, result: e.ok ? 'ok' : 'error' });
    if (!e.ok) this.errors.inc({ protocol: e.protocol, error: e.error ?? 'unknown' });
    if (e.bytesIn) this.bytes.inc({ protocol: e.protocol, direction: 'in' }, e.bytesIn);
    if (e.bytesOut) this.bytes.inc({ protocol: e.protocol, direction: 'out' }, e.bytesOut);
    this.latency.observe({ protocol: e.protocol }, e.seconds);
  }
}

/** Serves GET /metrics and GET /healthz; `healthy` decides the health answer. */
export function startOpsServer(metrics: Metrics, host: string, port: number, healthy: () => boolean): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      metrics.registry.metrics().then((body) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(body);
      }, (err: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`metrics failed: ${err.message}\n`);
      });
    } else if (req.method === 'GET' && path === '/healthz') {
      const ok = healthy();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable' }) + '\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found: try /metrics or /healthz\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
