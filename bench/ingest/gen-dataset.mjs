#!/usr/bin/env node
// gen-dataset.mjs — deterministic synthetic dataset for the strata ingest benchmark (no deps).
//
//   node bench/ingest/gen-dataset.mjs <outdir> [--size-mb 1024] [--version 1|2]
//   node bench/ingest/gen-dataset.mjs <outdir> --apply-edits [--size-mb 1024]
//
// Version 1 (~size-mb MiB): logs/ (compressible log lines with timestamps, ~30%),
// src/ (a few thousand small code-like files at 1024 MB, ~2%), blobs/ (incompressible
// random files of 10–100 MB scaled by size-mb/1024, ~55%), and verbatim duplicates
// (archive/ holds copies of two large blobs and two logs, vendor/ a copy of one src
// project, ~13%). Version 2 = version 1 plus ~1% edits: bytes overwritten in the middle
// of two blobs, bytes inserted in the middle of a third (shifts content), lines appended
// to half the logs, ~1% of src files changed, ~0.5% removed, ~1% added.
// --apply-edits turns an existing version-1 tree (same --size-mb) into version 2 in place.
//
// Everything is derived from fixed seeds: text from an sfc32 PRNG, random bytes from an
// AES-256-CTR keystream with a fixed key per file, so the same arguments give the same bytes.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const MiB = 1 << 20;
const DAY = 86_400_000;
const ZERO = Buffer.alloc(4 * MiB);

/** Returns a seeded PRNG (sfc32 keyed by sha256 of the label) with small helpers. */
function rngFor(label) {
  const h = crypto.createHash('sha256').update('strata-bench/' + label).digest();
  let a = h.readUInt32LE(0), b = h.readUInt32LE(4), c = h.readUInt32LE(8), d = h.readUInt32LE(12);
  const u32 = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0; a = b ^ (b >>> 9); b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11); c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) u32();
  const float = () => u32() / 4294967296;
  const int = (n) => Math.floor(float() * n);
  return {
    float, int,
    range: (lo, hi) => lo + int(hi - lo + 1),
    pick: (arr) => arr[int(arr.length)],
    chance: (p) => float() < p,
    hex: (n) => { let s = ''; while (s.length < n) s += u32().toString(16).padStart(8, '0'); return s.slice(0, n); },
  };
}

/** Returns fn(n) giving the next n bytes of a deterministic AES-256-CTR keystream for label. */
function keystream(label) {
  const key = crypto.createHash('sha256').update('strata-bench/bytes/' + label).digest();
  const cipher = crypto.createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return (n) => cipher.update(ZERO.subarray(0, n));
}

// ---------- plan: the file list, computed from size-mb alone ----------

const BLOB_DIRS = [['media', '.mp4'], ['vm-images', '.img'], ['datasets', '.parquet'], ['packages', '.tar.zst']];
const SERVICES = ['api', 'auth', 'worker', 'db', 'nginx', 'scheduler'];
const PROJECTS = [['libcore', 'ts'], ['webapp', 'js'], ['pipeline', 'py'], ['kernel-mod', 'c'], ['gateway', 'go'], ['tools', 'py'], ['ui-kit', 'ts'], ['storage', 'go']];
const WORDS = ['user', 'order', 'item', 'cart', 'cache', 'index', 'buffer', 'node', 'tree', 'page', 'block', 'chunk', 'stream', 'token', 'session', 'config', 'queue', 'task', 'job', 'event', 'handler', 'request', 'response', 'client', 'server', 'store', 'record', 'field', 'value', 'key', 'hash', 'lock', 'mutex', 'worker', 'pool', 'file', 'path', 'name', 'size', 'offset', 'length', 'count', 'limit', 'retry', 'timeout', 'error', 'state', 'status', 'parse', 'encode', 'decode', 'read', 'write', 'flush', 'open', 'close', 'load', 'save', 'update', 'delete', 'create', 'find', 'merge', 'split', 'sort', 'filter', 'map', 'reduce', 'check', 'valid'];

/** Lays out every version-1 file (paths, target sizes) for the given total size. */
function plan(sizeMB) {
  const T = sizeMB * MiB, scale = sizeMB / 1024, r = rngFor(`plan/${sizeMB}`);
  const blobs = [], logs = [], src = [];
  let acc = 0;
  for (let i = 0; 0.55 * T - acc >= 64 * 1024; i++) {
    const size = Math.min(Math.round((10 + r.float() * 90) * MiB * scale), Math.round(0.55 * T - acc));
    const [dir, ext] = BLOB_DIRS[i % BLOB_DIRS.length];
    blobs.push({ path: `blobs/${dir}/${dir}-${String(i).padStart(3, '0')}${ext}`, size });
    acc += size;
  }
  const dupBlobs = blobs.slice(0, 2);
  acc += dupBlobs[0].size + dupBlobs[1].size;

  const names = new Set();
  const nSrc = Math.max(50, Math.round(3000 * scale));
  for (let i = 0; i < nSrc; i++) {
    const [proj, lang] = PROJECTS[i % PROJECTS.length];
    const dirs = Array.from({ length: r.range(1, 3) }, () => r.pick(WORDS.slice(0, 24)));
    let base = `${r.pick(WORDS)}_${r.pick(WORDS)}`;
    while (names.has(`${proj}/${dirs.join('/')}/${base}`)) base += '_' + r.int(10);
    names.add(`${proj}/${dirs.join('/')}/${base}`);
    const size = Math.round(300 * Math.pow(100, r.float())); // log-uniform 300 B .. 30 KB
    src.push({ path: `src/${proj}/${dirs.join('/')}/${base}.${lang}`, size, lang, proj });
    acc += size;
  }
  const vendorProj = PROJECTS[0][0];
  for (const f of src) if (f.proj === vendorProj) acc += f.size;

  const perService = new Map();
  for (let i = 0; T - acc >= 16 * 1024; i++) {
    const service = SERVICES[i % SERVICES.length];
    const day = perService.get(service) ?? 0;
    perService.set(service, day + 1);
    const copies = i < 2 ? 2 : 1;
    const size = Math.min(Math.round((1 + r.float() * 23) * MiB * scale), Math.floor((T - acc) / copies));
    const date = new Date(Date.UTC(2024, 2, 1) + day * DAY).toISOString().slice(0, 10);
    logs.push({ path: `logs/${service}/${service}-${date}.log`, size, service, start: Date.UTC(2024, 2, 1) + day * DAY });
    acc += size * copies;
  }
  const dups = [
    ...dupBlobs.map((b) => [b.path, `archive/2023/${path.basename(b.path)}`]),
    ...logs.slice(0, 2).map((l) => [l.path, `archive/logs/${path.basename(l.path)}`]),
  ];
  return { blobs, logs, src, dups, vendorProj };
}

// ---------- writers ----------

/** Writes `size` keystream bytes for `label` to file. */
function writeRandom(file, size, label) {
  const next = keystream(label), fd = fs.openSync(file, 'w');
  for (let left = size; left > 0; left -= ZERO.length) fs.writeSync(fd, next(Math.min(left, ZERO.length)));
  fs.closeSync(fd);
}

/** Writes lines from gen() to fd (or a new file) until about `size` bytes, buffering ~1 MiB. */
function writeLines(target, size, gen, flags = 'w') {
  const fd = fs.openSync(target, flags);
  let parts = [], pending = 0, written = 0;
  while (written + pending < size) {
    const line = gen();
    parts.push(line); pending += line.length;
    if (pending >= MiB) { fs.writeSync(fd, parts.join('')); written += pending; parts = []; pending = 0; }
  }
  if (pending) fs.writeSync(fd, parts.join(''));
  fs.closeSync(fd);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const PATHS = ['/api/v1/users', '/api/v1/orders', '/api/v1/items', '/api/v2/search', '/api/v1/cart', '/login', '/health', '/static/app.js', '/static/style.css'];
const UAS = ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 Safari/537.36', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 Safari/605.1.15', 'curl/8.4.0', 'python-requests/2.31.0', 'Go-http-client/2.0'];
const QUEUES = ['emails', 'thumbnails', 'billing', 'reindex', 'exports'];
const TABLES = ['users', 'orders', 'items', 'sessions', 'events'];

/** Returns a generator of realistic log lines for one service, timestamps rising from `start`. */
function logLines(r, service, start, avgStep) {
  let ts = start;
  const ip = () => `10.${r.int(4)}.${r.int(256)}.${r.int(256)}`;
  const level = () => { const x = r.int(100); return x < 78 ? 'INFO ' : x < 90 ? 'DEBUG' : x < 97 ? 'WARN ' : 'ERROR'; };
  return () => {
    ts += r.int(2 * avgStep + 1);
    if (service === 'nginx') {
      const d = new Date(ts), p = (n) => String(n).padStart(2, '0');
      const when = `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
      const status = r.chance(0.93) ? 200 : r.pick([301, 304, 404, 500, 502]);
      return `${ip()} - - [${when}] "${r.pick(['GET', 'GET', 'GET', 'POST', 'PUT'])} ${r.pick(PATHS)}/${r.int(100000)} HTTP/1.1" ${status} ${r.int(60000)} "-" "${r.pick(UAS)}" ${(r.int(900) / 1000).toFixed(3)}\n`;
    }
    const head = `${new Date(ts).toISOString()} ${level()} ${service}[${1000 + r.int(64)}]: `;
    switch (service) {
      case 'api': return head + `request completed method=${r.pick(['GET', 'GET', 'POST', 'PUT', 'DELETE'])} path=${r.pick(PATHS)}/${r.int(100000)} status=${r.chance(0.95) ? 200 : r.pick([400, 404, 500])} duration_ms=${r.int(400)} req_id=${r.hex(16)} user_id=${r.int(50000)}\n`;
      case 'auth': return head + (r.chance(0.9) ? `login succeeded user=${r.pick(WORDS)}${r.int(1000)} ip=${ip()} mfa=${r.chance(0.3)}\n` : `login failed user=${r.pick(WORDS)}${r.int(1000)} ip=${ip()} reason=bad_password attempts=${r.range(1, 5)}\n`);
      case 'worker': return r.chance(0.98)
        ? head + `job ${r.pick(['started', 'finished'])} id=${r.hex(12)} queue=${r.pick(QUEUES)} duration_ms=${r.int(30000)} attempts=${r.range(1, 3)}\n`
        : head + `job failed id=${r.hex(12)} queue=${r.pick(QUEUES)}: Error: ${r.pick(['ETIMEDOUT', 'ECONNRESET', 'validation failed'])}\n    at ${r.pick(WORDS)}Handler (/srv/worker/lib/${r.pick(WORDS)}.js:${r.int(400)}:${r.int(40)})\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n`;
      case 'db': return head + (r.chance(0.85)
        ? `duration: ${(r.int(200000) / 1000).toFixed(3)} ms  statement: SELECT * FROM ${r.pick(TABLES)} WHERE id = ${r.int(1000000)} LIMIT ${r.range(1, 100)}\n`
        : `checkpoint complete: wrote ${r.int(5000)} buffers (${(r.int(1000) / 10).toFixed(1)}%); 0 WAL file(s) added, ${r.int(4)} removed, ${r.int(3)} recycled\n`);
      default: return head + `cron tick job=${r.pick(QUEUES)}-${r.pick(['hourly', 'daily', 'sweep'])} next_run=${new Date(ts + 3600_000).toISOString()} lag_ms=${r.int(50)}\n`;
    }
  };
}

/** Returns a generator of code-like source lines (header, then functions) for a language. */
function codeLines(r, lang) {
  const id = () => r.pick(WORDS) + r.pick(WORDS).replace(/^./, (c) => c.toUpperCase());
  const snake = () => `${r.pick(WORDS)}_${r.pick(WORDS)}`;
  const expr = (v) => `${v} ${r.pick(['+', '-', '*', '>>', '&', '|'])} ${r.chance(0.5) ? r.int(4096) : id() + 'Count'}`;
  const c = lang === 'py' ? '#' : '//';
  const header = [`${c} SPDX-License-Identifier: MIT\n`, `${c} Copyright (c) 2024 The ${r.pick(WORDS)} authors.\n`, '\n'];
  const queue = [...header];
  const fn = () => {
    const v = r.pick(WORDS), n = r.range(2, 6), out = [`${c} ${r.pick(WORDS)}s the ${r.pick(WORDS)} ${r.pick(WORDS)} and returns the new ${r.pick(WORDS)}.\n`];
    if (lang === 'py') {
      out.push(`def ${snake()}(${v}, ${r.pick(WORDS)}=None):\n`);
      for (let i = 0; i < n; i++) out.push(r.chance(0.3) ? `    if ${v} > ${r.int(1000)}:\n        return ${expr(v)}\n` : `    ${v} = ${snake()}(${expr(v)})\n`);
      out.push(`    return ${v}\n\n`);
    } else {
      const sig = { ts: `export function ${id()}(${v}: number): number {`, js: `export function ${id()}(${v}) {`, c: `static int ${snake()}(int ${v})\n{`, go: `func ${id()}(${v} int) int {` }[lang];
      const decl = { ts: 'const ', js: 'const ', c: 'int ', go: '' }[lang], asg = lang === 'go' ? ':=' : '=';
      out.push(sig + '\n');
      for (let i = 0; i < n; i++) {
        const w = r.pick(WORDS) + i;
        out.push(r.chance(0.3) ? `\tif (${v} > ${r.int(1000)}) {\n\t\treturn ${expr(v)};\n\t}\n` : `\t${decl}${w} ${asg} ${id()}(${expr(v)});\n\t${v} += ${w};\n`);
      }
      out.push(`\treturn ${v};\n}\n\n`);
    }
    return out;
  };
  return () => { if (!queue.length) queue.push(...fn()); return queue.shift(); };
}

// ---------- version 1 and the version-2 edits ----------

/** Writes the version-1 tree into outdir. */
function generateV1(outdir, p) {
  const mk = (f) => { fs.mkdirSync(path.dirname(f), { recursive: true }); return f; };
  for (const b of p.blobs) writeRandom(mk(path.join(outdir, b.path)), b.size, b.path);
  for (const l of p.logs) {
    const avgStep = Math.max(1, Math.floor(DAY / (l.size / 130)));
    writeLines(mk(path.join(outdir, l.path)), l.size, logLines(rngFor(l.path), l.service, l.start, avgStep));
  }
  for (const s of p.src) writeLines(mk(path.join(outdir, s.path)), s.size, codeLines(rngFor(s.path), s.lang));
  for (const [from, to] of p.dups) fs.copyFileSync(path.join(outdir, from), mk(path.join(outdir, to)));
  fs.cpSync(path.join(outdir, 'src', p.vendorProj), path.join(outdir, 'vendor', p.vendorProj), { recursive: true });
}

/** Applies the deterministic version-2 edits to a version-1 tree in place. */
function applyEdits(outdir, p, sizeMB) {
  const T = sizeMB * MiB, at = (rel) => path.join(outdir, rel);
  const own = p.blobs.slice(2);                  // blobs that have no duplicate
  const [over, ins] = [own[0], own[1] ?? own[0]];
  const insStat = fs.statSync(at(ins.path), { throwIfNoEntry: false });
  if (!insStat || insStat.size !== ins.size) throw new Error(`${outdir} is not a version-1 tree of --size-mb ${sizeMB} (or edits were already applied)`);
  const ks = keystream('v2-edits');
  // Overwrite regions in the middle of one unique blob and of one duplicated blob (its copy stays v1).
  for (const [b, regions] of [[over, 3], [p.blobs[0], 1]]) {
    const fd = fs.openSync(at(b.path), 'r+');
    for (let i = 0; i < regions; i++) fs.writeSync(fd, ks(Math.min(64 * 1024, b.size >> 4)), 0, undefined, Math.floor(b.size * (0.3 + 0.15 * i)));
    fs.closeSync(fd);
  }
  // Insert bytes in the middle of another blob: everything after the insertion point shifts.
  const data = fs.readFileSync(at(ins.path)), mid = data.length >> 1;
  fs.writeFileSync(at(ins.path), Buffer.concat([data.subarray(0, mid), ks(Math.min(12345, data.length >> 4)), data.subarray(mid)]));
  // Append lines to every other log (~0.5% of the total size).
  const appended = p.logs.filter((_, i) => i % 2 === 0);
  for (const l of appended) writeLines(at(l.path), 0.005 * T / appended.length, logLines(rngFor('v2/' + l.path), l.service, l.start + DAY, 700), 'a');
  // Source: change ~1% of files (a line inserted mid-file), remove ~0.5%, add ~1%.
  p.src.forEach((s, i) => {
    if (i % 100 === 7) {
      const lines = fs.readFileSync(at(s.path), 'utf8').split('\n');
      lines.splice(lines.length >> 1, 0, `${s.lang === 'py' ? '#' : '//'} TODO(v2): revisit ${s.proj} edge case ${i}`);
      fs.writeFileSync(at(s.path), lines.join('\n'));
    } else if (i % 200 === 13) fs.rmSync(at(s.path));
  });
  const nAdd = Math.max(5, Math.round(p.src.length / 100));
  for (let i = 0; i < nAdd; i++) {
    const [proj, lang] = PROJECTS[i % PROJECTS.length], rel = `src/${proj}/added/feature_${i}.${lang}`;
    fs.mkdirSync(path.dirname(at(rel)), { recursive: true });
    writeLines(at(rel), 300 + rngFor('v2/' + rel).int(8000), codeLines(rngFor('v2/' + rel), lang));
  }
}

function main(argv) {
  const opts = { sizeMB: 1024, version: 1, applyEdits: false, outdir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--size-mb') opts.sizeMB = Number(argv[++i]);
    else if (a === '--version') opts.version = Number(argv[++i]);
    else if (a === '--apply-edits') opts.applyEdits = true;
    else if (!a.startsWith('-') && !opts.outdir) opts.outdir = a;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!opts.outdir || !(opts.sizeMB >= 1) || ![1, 2].includes(opts.version)) {
    console.error('usage: gen-dataset.mjs <outdir> [--size-mb N>=1] [--version 1|2] | <outdir> --apply-edits [--size-mb N]');
    process.exit(2);
  }
  const p = plan(opts.sizeMB), t0 = Date.now();
  if (!opts.applyEdits) {
    if (fs.existsSync(opts.outdir) && fs.readdirSync(opts.outdir).length) throw new Error(`${opts.outdir} is not empty`);
    generateV1(opts.outdir, p);
  }
  if (opts.applyEdits || opts.version === 2) applyEdits(opts.outdir, p, opts.sizeMB);
  const what = opts.applyEdits ? 'applied v2 edits to' : `wrote v${opts.version} to`;
  console.error(`gen-dataset: ${what} ${opts.outdir} (size-mb ${opts.sizeMB}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

try {
  main(process.argv.slice(2));
} catch (err) {
  console.error(`gen-dataset: ${err.message}`);
  process.exit(1);
}
