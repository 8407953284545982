// Builds fixture trees on the local disk and compares trees (content, modes, mtimes, symlinks).
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, utimesSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

/** A deterministic pseudo-random buffer (xorshift32), for content that does not compress. */
export function noise(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** Writes a tree with every kind of entry strata must keep: files, empty files, dirs, empty dirs, symlinks, modes, mtimes, unicode names. */
export function makeFixtureTree(root: string): void {
  mkdirSync(join(root, 'docs/deep/er'), { recursive: true });
  mkdirSync(join(root, 'empty-dir'));
  writeFileSync(join(root, 'hello.txt'), 'hello, strata\n');
  writeFileSync(join(root, 'empty'), '');
  writeFileSync(join(root, 'docs/notes.md'), '# notes\n'.repeat(500));
  writeFileSync(join(root, 'docs/deep/er/big.bin'), noise(3 * 1024 * 1024 + 17, 7));
  writeFileSync(join(root, 'docs/ünïcødé ☃ név.txt'), 'unicode\n');
  writeFileSync(join(root, 'docs/with space #%?.txt'), 'awkward\n');
  writeFileSync(join(root, 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(root, 'run.sh'), 0o755);
  chmodSync(join(root, 'hello.txt'), 0o600);
  symlinkSync('hello.txt', join(root, 'link-to-hello'));
  symlinkSync('/nonexistent/target', join(root, 'docs/dangling'));
  utimesSync(join(root, 'docs/notes.md'), 1_600_000_000, 1_600_000_000.123456);
  utimesSync(join(root, 'docs/deep'), 1_500_000_000, 1_500_000_000);
}

/** One line per entry: path, kind, mode, size, mtime (µs), and content or target — for comparing trees. */
export function describeTree(root: string, withDirTimes = true): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(p, { bigint: true });
      const mtimeUs = st.mtimeNs / 1000n;
      if (st.isSymbolicLink()) out.push(`${r} link ${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.push(`${r} dir ${(st.mode & 0o7777n).toString(8)}${withDirTimes ? ` ${mtimeUs}` : ''}`);
        walk(p, r);
      } else out.push(`${r} file ${(st.mode & 0o7777n).toString(8)} ${st.size} ${mtimeUs} ${readFileSync(p).toString('base64').slice(0, 64)}:${hashFile(p)}`);
    }
  };
  walk(root, '');
  return out;
}

function hashFile(p: string): string {
  return createHash('sha256').update(readFileSync(p)).digest('hex');
}
