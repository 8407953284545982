// Load test: clients of every protocol write, read back and delete through one `strata serve` for a
// bounded time; counts errors and corrupted reads, samples the server's RSS; then kills the server
// with SIGKILL under load, restarts it, and checks every acknowledged write and `verify --read-data`.
// Run: node --import tsx bench/load/run.ts [--seconds 180] [--workers 2] [--kill-after 20]
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { strata, strataOk } from '../../test/helpers/cli.ts';
import { ftpClient, fuseClient, smbClient, webdavClient, type ProtocolClient } from '../../test/helpers/protocol-clients.ts';
import { childPids, freePort, startServe, type ServeProcess } from '../../test/helpers/serve.ts';
import { noise } from '../../test/helpers/tree.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = arg('seconds', 180);
const WORKERS = arg('workers', 2);
const KILL_AFTER = arg('kill-after', 20);

interface Tally {
  ops: number;
  errors: number;
  corrupt: number;
  bytesUp: number;
  bytesDown: number;
  firstError?: string;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

async function startAll(ar: string, mnt: string): Promise<{ serve: ServeProcess; clients: ProtocolClient[] }> {
  const [w, f, s] = [await freePort(), await freePort(), await freePort()];
  const serve = await startServe(ar, ['--webdav', `127.0.0.1:${w}`, '--ftp', `127.0.0.1:${f}`, '--smb', `127.0.0.1:${s}`, '--mount', mnt, '--user', 'u:pw'], ['webdav', 'ftp', 'smb', 'mount'], {}, mnt);
  return { serve, clients: [webdavClient(w, 'u', 'pw'), ftpClient(f, 'u', 'pw'), smbClient(s, 'u', 'pw'), fuseClient(mnt)] };
}

/** One worker: write a file, read it back, check it, sometimes delete; until `until`. Records acknowledged writes. */
async function worker(c: ProtocolClient, id: string, until: number, t: Tally, acked: Map<string, string>): Promise<void> {
  for (let i = 0; Date.now() < until; i++) {
    const path = `/load/${id}-${i % 50}.bin`;
    const data = noise(10_000 + ((i * 7919) % 2_000_000), i + id.length * 1000);
    acked.delete(path); // uncertain until this write is acknowledged
    const put = await c.put(path, data);
    t.ops++;
    if (!put.ok) {
      t.errors++;
      t.firstError ??= `${c.name} put ${path}: ${put.said}`;
      continue;
    }
    acked.set(path, sha(data));
    t.bytesUp += data.length;
    const got = await c.get(path);
    t.ops++;
    if (!got.data) {
      t.errors++;
      t.firstError ??= `${c.name} get ${path}: ${got.said}`;
    } else {
      t.bytesDown += got.data.length;
      if (!got.data.equals(data)) t.corrupt++;
    }
    if (i % 10 === 9) {
      acked.delete(path);
      const rm = await c.remove(path);
      t.ops++;
      if (!rm.ok) {
        t.errors++;
        t.firstError ??= `${c.name} remove ${path}: ${rm.said}`;
      }
    }
  }
}

async function main(): Promise<void> {
  process.env.STRATA_KDF_N = '1024';
  const dir = mkdtempSync(join(tmpdir(), 'strata-load-'));
  const ar = join(dir, 'ar');
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  strataOk(['init', ar]);
  let serve: ServeProcess | null = null;
  try {
    const started = await startAll(ar, mnt);
    serve = started.serve;
    const pid = childPids(serve.child.pid!)[0] ?? serve.child.pid!; // the server: bin/strata.js's child node
    await started.clients[0]!.mkdir('/load');
    const tallies = new Map(started.clients.map((c) => [c.name, { ops: 0, errors: 0, corrupt: 0, bytesUp: 0, bytesDown: 0 } as Tally]));
    const acked = new Map<string, string>();
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(rssMiB(pid)), 5000);
    const until = Date.now() + SECONDS * 1000;
    await Promise.all(started.clients.flatMap((c) => Array.from({ length: WORKERS }, (_, k) => worker(c, `${c.name}${k}`, until, tallies.get(c.name)!, acked))));
    clearInterval(sampler);
    const warm = rss[Math.min(rss.length - 1, Math.floor(30 / 5))] ?? 0;

    console.log(`# strata load test — ${new Date().toISOString()}\n`);
    console.log(`command: node --import tsx bench/load/run.ts --seconds ${SECONDS} --workers ${WORKERS} --kill-after ${KILL_AFTER}; ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}\n`);
    console.log('| protocol | operations | MB up | MB down | errors | corrupted reads |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const [name, t] of tallies) console.log(`| ${name} | ${t.ops} | ${(t.bytesUp / 1e6).toFixed(1)} | ${(t.bytesDown / 1e6).toFixed(1)} | ${t.errors} | ${t.corrupt} |`);
    console.log(`\nserver RSS MiB: after warm-up (30 s) ${warm.toFixed(0)}, peak ${Math.max(...rss).toFixed(0)}, at end ${(rss.at(-1) ?? 0).toFixed(0)} (${rss.length} samples)`);
    for (const [name, t] of tallies) if (t.firstError) console.log(`first ${name} error: ${t.firstError}`);

    // Kill -9 under load, restart, check every acknowledged write.
    const killAt = Date.now() + KILL_AFTER * 1000;
    const during = new Map<string, string>();
    const load = Promise.all(started.clients.map((c) => worker(c, `kill-${c.name}`, killAt + 60_000, { ops: 0, errors: 0, corrupt: 0, bytesUp: 0, bytesDown: 0 }, during)));
    await new Promise((r) => setTimeout(r, KILL_AFTER * 1000));
    serve.child.kill('SIGKILL');
    await new Promise((r) => serve!.child.once('exit', r));
    await Promise.race([load, new Promise((r) => setTimeout(r, 5000))]);
    const again = await startAll(ar, mnt);
    serve = again.serve;
    let lost = 0;
    for (const [path, hash] of [...acked, ...during]) {
      const got = await again.clients[0]!.get(path);
      if (!got.data || sha(got.data) !== hash) lost++;
    }
    await serve.stop();
    serve = null;
    const verify = strata(['verify', ar, '--read-data']);
    console.log(`\nSIGKILL after ${KILL_AFTER} s of load, restart: ${acked.size + during.size} acknowledged files checked, ${lost} lost or different; verify --read-data exit ${verify.status} (${verify.stdout.trim().split('\n').at(-1)})`);
    const failed = [...tallies.values()].some((t) => t.errors > 0 || t.corrupt > 0) || lost > 0 || verify.status !== 0;
    process.exitCode = failed ? 1 : 0;
  } finally {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
