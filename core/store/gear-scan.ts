// The chunker's hot loop: the gear-hash scan for a cut point, run by gear-scan.wasm (built from gear-scan.wat).
import { readFileSync } from 'node:fs';

/** Where the bytes to scan start in the module's memory (the gear table fills the first 1 KiB). */
const DATA = 1024;
/** Bytes of history a position's gear hash depends on: each byte's contribution has shifted out after 32. */
export const GEAR_WINDOW = 32;
/** Most bytes one call scans. */
export const SCAN_WINDOW = 1024 * 1024;

type ScanFn = (at: number, stop: number, normal: number, maskS: number, maskL: number) => number;

let scanner: { scan: ScanFn; memory: Uint8Array; gear: Uint32Array; loaded: Uint32Array | null } | null = null;

function load(): NonNullable<typeof scanner> {
  const module = new WebAssembly.Module(readFileSync(new URL('./gear-scan.wasm', import.meta.url)));
  const exports = new WebAssembly.Instance(module).exports as { scan: ScanFn; memory: WebAssembly.Memory };
  const pages = Math.ceil((DATA + GEAR_WINDOW + SCAN_WINDOW) / 65536);
  exports.memory.grow(pages - exports.memory.buffer.byteLength / 65536);
  const buffer = exports.memory.buffer;
  return { scan: exports.scan, memory: new Uint8Array(buffer), gear: new Uint32Array(buffer, 0, 256), loaded: null };
}

/**
 * The first position p in [at, at + n) of `buf` (n <= SCAN_WINDOW, at >= GEAR_WINDOW) whose gear hash over
 * buf[p - 31 .. p] has no bit of (p < normal ? maskS : maskL) set, or -1.
 */
export function gearScan(gear: Uint32Array, buf: Uint8Array, at: number, n: number, normal: number, maskS: number, maskL: number): number {
  const s = (scanner ??= load());
  if (s.loaded !== gear) {
    s.gear.set(gear);
    s.loaded = gear;
  }
  s.memory.set(buf.subarray(at - GEAR_WINDOW, at + n), DATA);
  const start = DATA + GEAR_WINDOW;
  const p = s.scan(start, start + n, Math.max(0, normal - at + start), maskS, maskL);
  return p < 0 ? -1 : at + (p - start);
}
