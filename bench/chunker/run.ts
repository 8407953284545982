// Chunker throughput: strata's Chunker (its gear-hash scan in WebAssembly) against the same scan written
// as a plain JavaScript loop, on the same random bytes in one run. Prints a Markdown table.
//
//   node --import tsx bench/chunker/run.ts [--size-mb 256] [--avg 1048576] [--baseline DIR]
//
// --baseline DIR adds a row for the Chunker of another strata checkout (e.g. `git worktree add DIR 05569a4`,
// the last version whose scan was four interleaved JavaScript lanes), on the same bytes.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Chunker, defaultChunkerParams, gearTable } from '../../core/store/chunker.ts';
import { GEAR_WINDOW, SCAN_WINDOW, gearScan } from '../../core/store/gear-scan.ts';

const { values } = parseArgs({ options: { 'size-mb': { type: 'string', default: '256' }, avg: { type: 'string', default: String(1 << 20) }, baseline: { type: 'string' } } });
const sizeMb = Number(values['size-mb']);
const avg = Number(values.avg);
const data = randomBytes(sizeMb << 20);
const gear = gearTable(randomBytes(32));
const neverCut = -1; // a mask no hash avoids except 0: the scan runs through the whole window

/** Best of three runs of `fn` over the data, in MB/s. */
function mbps(fn: () => void): number {
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return (data.length / 1e6) / (best / 1000);
}

function jsScan(at: number, n: number): number {
  let h = 0;
  for (let p = at - GEAR_WINDOW; p < at + n; p++) {
    h = ((h << 1) + gear[data[p]!]!) | 0;
    if (p >= at && (h & neverCut) === 0) return p;
  }
  return -1;
}

const windows = (scan: (at: number, n: number) => number) => () => {
  for (let at = GEAR_WINDOW; at < data.length; at += SCAN_WINDOW) scan(at, Math.min(SCAN_WINDOW, data.length - at));
};
const wasm = mbps(windows((at, n) => gearScan(gear, data, at, n, 0, neverCut, neverCut)));
const js = mbps(windows(jsScan));
type ChunkerClass = typeof Chunker;
const chunkerMbps = (C: ChunkerClass) =>
  mbps(() => {
    const c = new C(defaultChunkerParams(avg), gear);
    for (let off = 0; off < data.length; off += 1 << 20) c.push(data.subarray(off, off + (1 << 20)));
    c.finish();
  });
const chunker = chunkerMbps(Chunker);
const baseline = values.baseline ? chunkerMbps(((await import(resolve(values.baseline, 'core/store/chunker.ts'))) as { Chunker: ChunkerClass }).Chunker) : null;

console.log(`Chunker, ${new Date().toISOString().slice(0, 10)}, ${sizeMb} MiB of random bytes, average chunk ${avg} B; MB/s, best of 3.\n`);
console.log('| measure | this checkout | plain JS scan / baseline | ratio |');
console.log('|---|---:|---:|---:|');
console.log(`| gear-hash scan alone (WebAssembly vs a plain JS loop) | ${wasm.toFixed(0)} | ${js.toFixed(0)} | ${(wasm / js).toFixed(2)}× |`);
console.log(`| whole Chunker (copy in, scan, cut, copy out) | ${chunker.toFixed(0)} | ${baseline ? `${baseline.toFixed(0)} (${values.baseline})` : ''} | ${baseline ? `${(chunker / baseline).toFixed(2)}×` : ''} |`);
