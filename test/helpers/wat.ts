// Compiles WebAssembly text (core/**/*.wat) to the binary committed beside it. Run as a script to regenerate:
//   node --import tsx test/helpers/wat.ts core/store/gear-scan.wat
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import initWabt from 'wabt';

/** The binary module of the WebAssembly text file at `watPath`. */
export async function compileWat(watPath: string): Promise<Buffer> {
  const wabt = await initWabt();
  const mod = wabt.parseWat(basename(watPath), readFileSync(watPath, 'utf8'));
  try {
    mod.validate();
    return Buffer.from(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  for (const wat of process.argv.slice(2)) {
    const out = wat.replace(/\.wat$/, '.wasm');
    writeFileSync(out, await compileWat(wat));
    console.log(`wrote ${out}`);
  }
}
