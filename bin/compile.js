// Compiles the TypeScript sources (core, cli, protocols, mount) to JavaScript under .build/, so the
// `strata` command starts in a fraction of the time tsx needs to compile them on every run. Each file
// is transformed on its own by esbuild (types stripped, nothing bundled), relative `.ts` imports become
// `.js`, and the assets modules load beside themselves are copied. A build is named by a hash of the
// sources' names, sizes and mtimes: an edited source gives a new build on the next run, and concurrent
// runs that build the same version agree (one rename wins). Run directly to build: `node bin/compile.js`.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILD = join(ROOT, '.build');
const SOURCE_DIRS = ['core', 'cli', 'protocols', 'mount'];
const ASSETS = /\.(wasm|json|c)$/;
/** Builds older than this are removed when a new one is made (a running server may still load from its own). */
const KEEP_OLD_MS = 24 * 3600 * 1000;
const IMPORT_TS = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"']+)\.ts\2/g;

/** Every source and asset file under the source folders, relative to the repository, sorted. */
function sources() {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if ((p.endsWith('.ts') && !p.endsWith('.d.ts')) || ASSETS.test(p)) out.push(p);
    }
  };
  for (const d of SOURCE_DIRS) walk(d);
  return out.sort();
}

/** The name of the build of these sources as they are now. */
function versionOf(files) {
  const h = createHash('sha256');
  for (const f of files) {
    const st = statSync(join(ROOT, f));
    h.update(`${f}\0${st.size}\0${st.mtimeMs}\n`);
  }
  h.update(readFileSync(join(ROOT, 'package.json')));
  return h.digest('hex').slice(0, 16);
}

async function build(files, dest) {
  const { transform } = await import('esbuild');
  const tmp = `${dest}.tmp-${process.pid}-${Date.now()}`;
  try {
    await Promise.all(
      files.map(async (f) => {
        const target = join(tmp, f.replace(/\.ts$/, '.js'));
        mkdirSync(dirname(target), { recursive: true });
        if (!f.endsWith('.ts')) return copyFileSync(join(ROOT, f), target);
        const { code } = await transform(readFileSync(join(ROOT, f), 'utf8'), { loader: 'ts', format: 'esm', target: 'node20', sourcefile: f });
        writeFileSync(target, code.replace(IMPORT_TS, '$1$2$3.js$2'));
      }),
    );
    // cli/main.js reads ../package.json for the version.
    copyFileSync(join(ROOT, 'package.json'), join(tmp, 'package.json'));
    try {
      renameSync(tmp, dest);
    } catch (err) {
      if (!existsSync(join(dest, 'cli', 'main.js'))) throw err; // another run built the same version first
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const old of readdirSync(BUILD)) {
    const p = join(BUILD, old);
    if (p !== dest && Date.now() - statSync(p).mtimeMs > KEEP_OLD_MS) rmSync(p, { recursive: true, force: true });
  }
}

/** The URL of the compiled CLI entry for the current sources, building it first when needed; null when that fails. */
export async function compiledEntry() {
  try {
    const files = sources();
    const dest = join(BUILD, versionOf(files));
    const entry = join(dest, 'cli', 'main.js');
    if (!existsSync(entry)) {
      mkdirSync(BUILD, { recursive: true });
      await build(files, dest);
    }
    return pathToFileURL(entry).href;
  } catch (err) {
    if (process.env.STRATA_DEBUG) process.stderr.write(`strata: running from source (compiling failed: ${err?.message ?? err})\n`);
    return null;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const entry = await compiledEntry();
  if (!entry) process.exit(1);
  console.log(`compiled to ${relative(ROOT, dirname(dirname(fileURLToPath(entry))))}`);
}
