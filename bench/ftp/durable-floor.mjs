// durable-floor.mjs — the least a durable small-file upload can cost on this disk, with no protocol at
// all: what strata must do before it may answer 226 to a STOR (docs/FORMAT.md, section 11.1). N
// times, sequentially: append a 1–16 KiB block of random bytes to a pack-like file and fdatasync it,
// then commit one lmdb-js transaction (a handful of puts, as a new file's commit writes) and wait for
// it to be flushed. Prints the median of each step and of the pair, in ms, one per line:
//   pack <ms>
//   index <ms>
//   both <ms>
// usage: node bench/ftp/durable-floor.mjs DIR [N]   (DIR on the filesystem the archive is on; files
// are created in a fresh directory under it and removed)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { open } from 'lmdb';

const [dir, n = '1000'] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node bench/ftp/durable-floor.mjs DIR [N]');
  process.exit(2);
}
const N = Number(n);
const work = mkdtempSync(join(dir, 'durable-floor-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
try {
  const env = open({ path: join(work, 'meta'), compression: false, maxDbs: 16 });
  const inodes = env.openDB({ name: 'inodes', keyEncoding: 'uint32' });
  const blobs = env.openDB({ name: 'blobs', keyEncoding: 'binary', encoding: 'binary' });
  const pack = await openFile(join(work, 'pack'), 'w+');
  const packMs = [], indexMs = [], bothMs = [];
  let end = 0;
  for (let i = 0; i < N + 100; i++) {
    const data = randomBytes(1024 + Math.floor(Math.random() * 15 * 1024));
    const t0 = performance.now();
    await pack.write(data, 0, data.length, end);
    end += data.length;
    await pack.datasync();
    const t1 = performance.now();
    await env.transaction(() => {
      blobs.put(randomBytes(32), randomBytes(30));
      inodes.put(i + 2, { kind: 'file', mode: 0o644, size: data.length, mtime: BigInt(Date.now()) * 1000000n, parent: 1, chunks: randomBytes(36) });
      inodes.put(1, { kind: 'dir', mode: 0o755, size: 0, mtime: BigInt(Date.now()) * 1000000n, parent: 1 });
    });
    await env.flushed;
    const t2 = performance.now();
    if (i >= 100) {
      packMs.push(t1 - t0);
      indexMs.push(t2 - t1);
      bothMs.push(t2 - t0);
    }
  }
  await pack.close();
  await env.close();
  console.log(`pack ${median(packMs).toFixed(2)}`);
  console.log(`index ${median(indexMs).toFixed(2)}`);
  console.log(`both ${median(bothMs).toFixed(2)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
