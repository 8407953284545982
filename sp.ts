import { Archive } from './core/archive.ts';
import { createVfs } from './core/vfs/vfs.ts';
import { rmSync } from 'node:fs';
rmSync('/tmp/spa', { recursive: true, force: true });
await Archive.init('/tmp/spa', {});
const a = await Archive.open('/tmp/spa', {});
const vfs = createVfs(a);
const data = Buffer.alloc(4096, 7);
async function* one() { yield data; }
const lat: number[] = [];
let next = 0; const N = 1000;
const t0 = performance.now();
await Promise.all(Array.from({ length: +(process.env.C ?? 8) }, async () => { while (next < N) { const i = next++; const t = performance.now(); await vfs.writeFile(`/f${i}`, one()); lat.push(performance.now() - t); } }));
const total = performance.now() - t0;
lat.sort((x, y) => x - y);
console.log('total ms', total.toFixed(0), 'p50', lat[500].toFixed(2), 'p90', lat[900].toFixed(2));
await a.close();
