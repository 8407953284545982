// Compares the zstd bindings on 1 MiB chunks (text-like and random), as strata compresses them:
// zstd-codec (design card, WebAssembly) vs @mongodb-js/zstd (native, async on the libuv pool).
// Run: node bench/compress/run.mjs
import { compress as napiCompress } from '@mongodb-js/zstd';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import zstdCodec from 'zstd-codec';

const N = 64;
const random = randomBytes(1 << 20);
const text = Buffer.alloc(1 << 20);
const src = readFileSync(new URL('../../docs/FORMAT.md', import.meta.url));
for (let at = 0; at < text.length; at += src.length) src.copy(text, at);
const simple = await new Promise((resolve) => zstdCodec.ZstdCodec.run((z) => resolve(new z.Simple())));

async function rate(fn, buf) {
  const t = performance.now();
  let out = 0;
  for (let i = 0; i < N; i++) out += (await fn(buf)).length;
  return { mbs: N / ((performance.now() - t) / 1000), ratio: (N * buf.length) / out };
}
async function parallel(buf) {
  const t = performance.now();
  await Promise.all(Array.from({ length: N }, () => napiCompress(buf, 3)));
  return N / ((performance.now() - t) / 1000);
}
function oomLimit() {
  for (const mb of [2, 4, 6, 8, 16]) {
    try {
      simple.compress(randomBytes(mb << 20), 3);
    } catch {
      return `fails at ${mb} MiB`;
    }
  }
  return 'ok up to 16 MiB';
}

console.log(`# zstd bindings, level 3, 1 MiB chunks — ${new Date().toISOString()}, node ${process.version}\n`);
console.log('| binding | data | MB/s (one at a time) | MB/s (all at once) | ratio |');
console.log('|---|---|---:|---:|---:|');
for (const [name, buf] of [['text', text], ['random', random]]) {
  const w = await rate(async (b) => simple.compress(b, 3), buf);
  const n = await rate((b) => napiCompress(b, 3), buf);
  const p = await parallel(buf);
  console.log(`| zstd-codec 0.1.5 | ${name} | ${w.mbs.toFixed(0)} | — (synchronous) | ${w.ratio.toFixed(2)} |`);
  console.log(`| @mongodb-js/zstd 1.x | ${name} | ${n.mbs.toFixed(0)} | ${p.toFixed(0)} | ${n.ratio.toFixed(2)} |`);
}
console.log(`\nzstd-codec Simple.compress on random input: ${oomLimit()}`);
