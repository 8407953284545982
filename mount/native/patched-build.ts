// Builds fuse-native's addon from its own C source with three fixes and some changes, the way
// patch-package would: fuse-native 2.2.6 passes atime twice to `utimens` (mtime is lost; issue
// fuse-friends/fuse-native and sagemathinc/fuse-native#3), folds UTIME_NOW and UTIME_OMIT into one
// millisecond value, and does not set `flag_utime_omit_ok`, so libfuse 2.9 silently drops a time
// change that sets only one of atime and mtime (`touch -m`, and `tar x`, which restores mtime with
// atime UTIME_OMIT).
// A fourth edit answers getxattr("security.capability") with ENODATA in the FUSE thread: the kernel asks
// for it before every write(2), and the mount keeps no file capabilities (ops/attributes.ts), so the
// round trip to JavaScript would only ever get the same answer.
// Two more schedule the libfuse thread that hands a request to JavaScript as SCHED_BATCH while
// several requests are in flight, SCHED_OTHER otherwise: answering a request wakes its thread, and on
// 2 cores a woken thread preempted the JavaScript thread while others waited for it (`git status` in a
// 10k-file tree ~0.44 s against ~0.30 s), yet with one request at a time the preemption is what gets
// the answer to the kernel soonest (one process creating small files: ~40 % slower when always batch).
// Figures: bench/fuse/sched-ab.sh, docs/BENCHMARKS.md.
// Another answers an open or create for writing only with direct_io: the kernel then hands the
// writer's bytes over without copying them into new page-cache pages first, which on this project's VM
// cost more than the rest of a large write (docs/fuse.md); such a handle cannot be mmapped anyway.
// The result goes to node_modules/fuse-native/build/Release, which node-gyp-build loads before the
// prebuilt binary. Runs once per install (a marker names the patch), in a temp copy, in about 5 s.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Milliseconds value the patched addon sends for UTIME_OMIT (leave the time alone). */
export const UTIME_OMIT_MS = 2 ** 62;
/** Milliseconds value the patched addon sends for UTIME_NOW (set the time to now). */
export const UTIME_NOW_MS = 2 ** 62 + 2 ** 40;

const PATCH_ID = 'strata-fuse-native-attr-cache-3';

/** Requests in flight (this one included) from which the libfuse thread making one runs as SCHED_BATCH. */
export const BATCH_IN_FLIGHT = 3;
/** Environment variable that overrides BATCH_IN_FLIGHT (bench/fuse/sched-ab.sh: 1 = always, 1000 = never). */
export const BATCH_ENV = 'STRATA_FUSE_BATCH_FROM';

/** Environment variable that turns the write-only opens' direct_io off (`0`), for comparing (bench/fuse). */
export const DIRECT_WRITES_ENV = 'STRATA_FUSE_DIRECT_WRITES';

/** Sets direct_io on an open for writing only (no mmap is possible on such a handle), unless turned off. */
const DIRECT_WRITES =
  'static int strata_direct_writes = -1;\n' +
  'static void strata_open_flags (struct fuse_file_info *info) {\n' +
  `  if (strata_direct_writes < 0) { const char *env = getenv("${DIRECT_WRITES_ENV}"); strata_direct_writes = !(env && strcmp(env, "0") == 0); }\n` +
  '  if (info != NULL && strata_direct_writes && (info->flags & O_ACCMODE) == O_WRONLY) info->direct_io = 1;\n' +
  '}\n';

/** The JavaScript face of attr-cache.c: forget(thread, path) and reset(thread, ttlMs), `thread` being fuse-native's `_thread` buffer. */
const ATTR_CACHE_NAPI =
  'NAPI_METHOD(strata_attr_cache_forget) {\n' +
  '  NAPI_ARGV(2)\n' +
  '  NAPI_ARGV_BUFFER_CAST(fuse_thread_t *, ft, 0);\n' +
  '  NAPI_ARGV_UTF8(path, 4097, 1);\n' +
  '  if (ft->attr_cache != NULL) strata_cache_forget(ft->attr_cache, path);\n' +
  '  return NULL;\n' +
  '}\n' +
  'NAPI_METHOD(strata_attr_cache_reset) {\n' +
  '  NAPI_ARGV(2)\n' +
  '  NAPI_ARGV_BUFFER_CAST(fuse_thread_t *, ft, 0);\n' +
  '  NAPI_ARGV_UINT32(ttl, 1);\n' +
  '  if (ft->attr_cache != NULL) strata_cache_reset(ft->attr_cache, ttl);\n' +
  '  return NULL;\n' +
  '}\n';

/** Exact source edits; the build fails loudly when fuse-native's source no longer matches. */
const EDITS: Array<[from: string, to: string]> = [
  ['FUSE_UINT64_TO_INTS_ARGV(l->atime, 5)', 'FUSE_UINT64_TO_INTS_ARGV(l->mtime, 5)'],
  [
    'static uint64_t timespec_to_uint64 (const struct timespec* ts) {\n',
    'static uint64_t timespec_to_uint64 (const struct timespec* ts) {\n' +
      `  if (ts->tv_nsec == UTIME_OMIT) return ${BigInt(UTIME_OMIT_MS)}ULL;\n` +
      `  if (ts->tv_nsec == UTIME_NOW) return ${BigInt(UTIME_NOW_MS)}ULL;\n`,
  ],
  ['  if (implemented[op_utimens]) ops.utimens = fuse_native_utimens;\n', '  if (implemented[op_utimens]) ops.utimens = fuse_native_utimens;\n  ops.flag_utime_omit_ok = 1;\n'],
  ['#include <stdlib.h>\n', '#include <stdlib.h>\n#include <errno.h>\n#include <fcntl.h>\n#include <sched.h>\n#ifndef SCHED_BATCH\n#define SCHED_BATCH 3\n#endif\n'],
  [
    'FUSE_METHOD(getxattr, 4, 1, (const char *path, const char *name, char *value, size_t size), {\n',
    'FUSE_METHOD(getxattr, 4, 1, (const char *path, const char *name, char *value, size_t size), {\n' +
      '  if (strcmp(name, "security.capability") == 0) return -ENODATA;\n',
  ],
  [
    '#include <pthread.h>\n',
    '#include <pthread.h>\n' +
      'static int strata_in_flight = 0;\n' +
      'static int strata_batch_from = 0;\n' +
      'static __thread int strata_batch = 0;\n' +
      'static void strata_request_starts (void) {\n' +
      '  if (strata_batch_from == 0) {\n' +
      `    const char *env = getenv("${BATCH_ENV}");\n` +
      `    strata_batch_from = env && atoi(env) > 0 ? atoi(env) : ${BATCH_IN_FLIGHT};\n` +
      '  }\n' +
      '  int batch = __atomic_add_fetch(&strata_in_flight, 1, __ATOMIC_RELAXED) >= strata_batch_from;\n' +
      '  if (batch == strata_batch) return;\n' +
      '  struct sched_param param = { .sched_priority = 0 };\n' +
      '  pthread_setschedparam(pthread_self(), batch ? SCHED_BATCH : SCHED_OTHER, &param);\n' +
      '  strata_batch = batch;\n' +
      '}\n',
  ],
  ['#include <fuse_common.h>\n', '#include <fuse_common.h>\n' + DIRECT_WRITES],
  [
    'FUSE_METHOD(open, 2, 1, (const char *path, struct fuse_file_info *info), {\n',
    'FUSE_METHOD(open, 2, 1, (const char *path, struct fuse_file_info *info), {\n  strata_open_flags(info);\n',
  ],
  [
    'FUSE_METHOD(create, 2, 1, (const char *path, mode_t mode, struct fuse_file_info *info), {\n',
    'FUSE_METHOD(create, 2, 1, (const char *path, mode_t mode, struct fuse_file_info *info), {\n  strata_open_flags(info);\n',
  ],
  ['#include <pthread.h>\n', '#include <pthread.h>\n#include "attr-cache.c"\n'],
  ['  uv_sem_t sem;\n} fuse_thread_t;', '  uv_sem_t sem;\n  struct strata_attr_cache *attr_cache;\n} fuse_thread_t;'],
  ['  // Internal bookkeeping\n  fuse_thread_t *fuse;\n', '  // Internal bookkeeping\n  fuse_thread_t *fuse;\n  struct strata_attr_cache *strata_cache;\n  uint64_t strata_ticket;\n'],
  ['  ft->fuse = fuse;\n', '  ft->fuse = fuse;\n  if (ft->attr_cache == NULL) ft->attr_cache = strata_cache_new();\n'],
  [
    'FUSE_METHOD(getattr, 1, 1, (const char *path, struct stat *stat), {\n',
    'FUSE_METHOD(getattr, 1, 1, (const char *path, struct stat *stat), {\n' +
      '  struct strata_attr_cache *cache = ((fuse_thread_t *) fuse_get_context()->private_data)->attr_cache;\n' +
      '  if (cache != NULL && strata_cache_get(cache, path, stat, &l->strata_ticket)) return 0;\n' +
      '  l->strata_cache = cache;\n',
  ],
  [
    '  NAPI_ARGV_BUFFER_CAST(uint32_t*, ints, 2)\n  populate_stat(ints, l->stat);\n})\n\nFUSE_METHOD(fgetattr',
    '  NAPI_ARGV_BUFFER_CAST(uint32_t*, ints, 2)\n  populate_stat(ints, l->stat);\n' +
      '  if (res == 0 && l->stat->st_dev == STRATA_CACHEABLE_DEV && l->strata_cache != NULL) strata_cache_put(l->strata_cache, l->path, l->stat, l->strata_ticket);\n' +
      '  l->stat->st_dev = 0;\n})\n\nFUSE_METHOD(fgetattr',
  ],
  ['NAPI_INIT() {\n', ATTR_CACHE_NAPI + 'NAPI_INIT() {\n'],
  [
    '  NAPI_EXPORT_FUNCTION(fuse_native_mount)\n',
    '  NAPI_EXPORT_FUNCTION(fuse_native_mount)\n  NAPI_EXPORT_FUNCTION(strata_attr_cache_forget)\n  NAPI_EXPORT_FUNCTION(strata_attr_cache_reset)\n',
  ],
  [
    '  uv_async_send(&(l->async));\\\n  uv_sem_wait(&(l->sem));\\\n',
    '  strata_request_starts();\\\n  uv_async_send(&(l->async));\\\n  uv_sem_wait(&(l->sem));\\\n  __atomic_sub_fetch(&strata_in_flight, 1, __ATOMIC_RELAXED);\\\n',
  ],
];

/** Where fuse-native is installed. */
function packageDir(): string {
  return dirname(createRequire(import.meta.url).resolve('fuse-native/package.json'));
}

/** True when the patched addon is in place. */
export function isPatched(): boolean {
  const marker = join(packageDir(), 'build', 'Release', 'strata-patch.txt');
  return existsSync(marker) && readFileSync(marker, 'utf8').trim() === PATCH_ID;
}

/** npm's own node-gyp, which builds offline against the local Node headers. */
function nodeGyp(): string {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found) throw new Error('node-gyp not found (it ships with npm)');
  return found;
}

/** Builds and installs the patched addon unless it is already there; throws with the compiler's output on failure. */
export function ensurePatchedFuse(): void {
  if (isPatched()) return;
  const pkg = packageDir();
  const work = mkdtempSync(join(tmpdir(), 'strata-fuse-build-'));
  try {
    cpSync(pkg, work, { recursive: true, filter: (src) => !/\/(prebuilds|build)$/.test(src) });
    const file = join(work, 'fuse-native.c');
    cpSync(fileURLToPath(new URL('./attr-cache.c', import.meta.url)), join(work, 'attr-cache.c'));
    let source = readFileSync(file, 'utf8');
    for (const [from, to] of EDITS) {
      if (!source.includes(from)) throw new Error(`fuse-native's source changed; cannot apply the fix for '${from.trim()}'`);
      source = source.replace(from, to);
    }
    writeFileSync(file, source);
    const headers = join(dirname(process.execPath), '..');
    const args = [nodeGyp(), 'rebuild', ...(existsSync(join(headers, 'include', 'node', 'node_api.h')) ? [`--nodedir=${headers}`] : [])];
    const r = spawnSync(process.execPath, args, { cwd: work, env: { ...process.env, NODE_PATH: dirname(pkg) }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`building the patched fuse-native failed:\n${r.stdout}\n${r.stderr}`);
    const release = join(pkg, 'build', 'Release');
    mkdirSync(release, { recursive: true });
    const tmp = join(release, `fuse.node.${process.pid}`);
    cpSync(join(work, 'build', 'Release', 'fuse.node'), tmp);
    renameSync(tmp, join(release, 'fuse.node'));
    writeFileSync(join(release, 'strata-patch.txt'), PATCH_ID + '\n');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
