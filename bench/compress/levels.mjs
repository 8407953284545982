// zstd levels on real files, cut as strata stores them: files over 256 KiB in 1 MiB pieces (large blobs),
// smaller files whole (small blobs). Prints stored size and time per level for each group, 4 at a time
// on libuv's threads (@mongodb-js/zstd's binding: its `compress` wrapper ignores the level).
// Run: node bench/compress/levels.mjs DIR   (e.g. the ingest benchmark's tree: bench/ingest/gen-dataset.mjs)
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const binding = createRequire(import.meta.url)('@mongodb-js/zstd/bindings.js');
const LARGE = 256 * 1024;
const PIECE = 1 << 20;
const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench/compress/levels.mjs DIR');
  process.exit(2);
}

const large = [];
const small = [];
(function walk(d) {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.isFile()) {
      const data = readFileSync(p);
      if (data.length <= LARGE) small.push(data);
      else for (let at = 0; at < data.length; at += PIECE) large.push(data.subarray(at, at + PIECE));
    }
  }
})(dir);

/** Compresses every buffer at `level`, four at a time; returns total output bytes and milliseconds. */
async function run(bufs, level) {
  const t = performance.now();
  let out = 0;
  for (let i = 0; i < bufs.length; i += 4) for (const r of await Promise.all(bufs.slice(i, i + 4).map((b) => binding.compress(b, level)))) out += r.length;
  return { out, ms: performance.now() - t };
}

console.log(`| group | level | input MB | output MB | ratio | ms |`);
console.log(`|---|---:|---:|---:|---:|---:|`);
for (const [name, bufs] of [['large (1 MiB pieces)', large], ['small (whole files)', small]]) {
  if (bufs.length === 0) continue;
  const input = bufs.reduce((n, b) => n + b.length, 0);
  for (const level of [1, 2, 3, 6, 9]) {
    const { out, ms } = await run(bufs, level);
    console.log(`| ${name} | ${level} | ${(input / 1e6).toFixed(1)} | ${(out / 1e6).toFixed(2)} | ${(out / input).toFixed(4)} | ${ms.toFixed(0)} |`);
  }
}
