// FastCDC content-defined chunking (gear hash, normalised chunking, cut-point skipping), streaming.
import { hkdfSync } from 'node:crypto';
import { GEAR_WINDOW, SCAN_WINDOW, gearScan } from './gear-scan.ts';

/** Chunk size bounds in bytes; `avg` must be a power of two. */
export interface ChunkerParams {
  min: number;
  avg: number;
  max: number;
}

/** Derives the 256-entry gear table from a per-archive secret seed (HKDF-SHA256, info "strata/v1/gear"). */
export function gearTable(seed: Buffer): Uint32Array {
  const bytes = Buffer.from(hkdfSync('sha256', seed, Buffer.alloc(0), 'strata/v1/gear', 1024));
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) table[i] = bytes.readUInt32LE(i * 4);
  return table;
}

/** Checks chunker parameters and throws a clear error when they cannot work. */
export function validateChunkerParams(p: ChunkerParams): void {
  const pow2 = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
  if (!pow2(p.avg) || p.avg < 1024 || p.avg > 64 * 1024 * 1024) {
    throw new Error(`chunk size average must be a power of two between 1 KiB and 64 MiB, got ${p.avg}`);
  }
  if (!(p.min >= 64 && p.min < p.avg && p.max > p.avg)) {
    throw new Error(`chunk sizes must satisfy 64 <= min < avg < max (got ${p.min}/${p.avg}/${p.max})`);
  }
}

/** Default bounds for an average: min = avg/4, max = avg*4. */
export function defaultChunkerParams(avg: number): ChunkerParams {
  return { min: Math.max(64, avg / 4), avg, max: avg * 4 };
}

function topBits(n: number): number {
  return n >= 32 ? 0xffffffff : ((0xffffffff << (32 - n)) >>> 0);
}

/**
 * A streaming chunker: push bytes in any pieces, receive whole chunks. Bytes are copied once into
 * a work buffer of 2×max and the scan resumes where it stopped, so small pushes cost no rescanning.
 * Emitted chunks are fresh buffers owned by the caller, or, with `views`, views of the work buffer
 * valid only until the next `push`, `fill` or `finish` (the caller copies what it keeps).
 */
export class Chunker {
  private readonly gear: Uint32Array;
  private readonly params: ChunkerParams;
  private readonly maskS: number;
  private readonly maskL: number;
  private work: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  private scanPos = 0;
  private hash = 0;

  constructor(params: ChunkerParams, gear: Uint32Array, private readonly views = false) {
    validateChunkerParams(params);
    this.params = params;
    this.gear = gear;
    const bits = Math.round(Math.log2(params.avg));
    this.maskS = topBits(bits + 2) | 0;
    this.maskL = topBits(bits - 2) | 0;
  }

  /** The smallest chunk this chunker cuts (except a stream's last). */
  get minSize(): number {
    return this.params.min;
  }

  /** Bytes pushed but not yet returned in a chunk (0 right after a cut). */
  get buffered(): number {
    return this.end - this.start;
  }

  /** A copy of the bytes pushed but not yet returned in a chunk. */
  pending(): Buffer {
    return Buffer.from(this.work.subarray(this.start, this.end));
  }

  /** Adds bytes; returns the chunks completed by them (possibly none). */
  push(data: Uint8Array): Buffer[] {
    const out: Buffer[] = [];
    let off = 0;
    while (off < data.length) {
      if (this.end === this.work.length) this.makeRoom(data.length - off);
      const n = Math.min(data.length - off, this.work.length - this.end);
      this.work.set(data.subarray(off, off + n), this.end);
      this.end += n;
      off += n;
      this.takeCuts(out);
    }
    return out;
  }

  /**
   * Reads up to `max` bytes straight into the work buffer with `read` (which returns how many it read,
   * 0 at the end of its source), sparing the copy `push` makes; returns that count and the chunks completed.
   */
  fill(read: (target: Buffer, offset: number, length: number) => number, max: number): { n: number; chunks: Buffer[] } {
    if (this.work.length - this.end < max) this.makeRoom(max);
    const n = read(this.work, this.end, Math.min(max, this.work.length - this.end));
    this.end += n;
    const chunks: Buffer[] = [];
    this.takeCuts(chunks);
    return { n, chunks };
  }

  /** Ends the stream; returns the remaining chunks (the last may be shorter than min). */
  finish(): Buffer[] {
    const out: Buffer[] = [];
    while (this.end > this.start) out.push(this.take(this.scan(true)));
    this.start = this.end = 0;
    return out;
  }

  /**
   * Compacts the work buffer, growing it (up to 2×max) when that frees too little. The first buffer
   * fits the first push (4 KiB at least): a small file's stream allocates a few KiB, not 64 KiB of
   * memory outside the heap that makes the collector run (every small WebDAV PUT paid for that).
   */
  private makeRoom(wanted: number): void {
    const live = this.end - this.start;
    const cap = this.params.max * 2;
    if (this.work.length < cap && this.work.length - live < wanted) {
      const grown = Buffer.allocUnsafe(Math.min(cap, Math.max(live + wanted, this.work.length * 2, 4096)));
      this.work.copy(grown, 0, this.start, this.end);
      this.work = grown;
    } else this.work.copyWithin(0, this.start, this.end);
    this.end = live;
    this.start = 0;
  }

  /** Appends to `out` every chunk the buffered bytes complete. */
  private takeCuts(out: Buffer[]): void {
    for (let cut = this.scan(false); cut >= 0; cut = this.scan(false)) out.push(this.take(cut));
  }

  private take(n: number): Buffer {
    const chunk = this.views ? this.work.subarray(this.start, this.start + n) : Buffer.allocUnsafe(n);
    if (!this.views) this.work.copy(chunk, 0, this.start, this.start + n);
    this.start += n;
    this.scanPos = 0;
    this.hash = 0;
    return chunk;
  }

  /** Returns the length of the next chunk, or -1 when more data is needed. */
  private scan(final: boolean): number {
    const { min, avg, max } = this.params;
    const len = this.end - this.start;
    if (len <= min) return final ? len : -1;
    const end = Math.min(len, max);
    const cut = this.findCut(Math.max(this.scanPos, min), Math.min(avg, end), end);
    if (cut >= 0) return cut;
    if (end === max) return max;
    if (final) return len;
    this.scanPos = end;
    return -1;
  }

  /**
   * The first cut in [from, end) (offsets in the current chunk), or -1. The gear hash starts at zero
   * at `min`; GEAR_WINDOW bytes later it depends on those bytes alone, so the rest is scanned in
   * windows by gearScan, which warms the hash up on the bytes before each window: same cuts, faster.
   */
  private findCut(from: number, normal: number, end: number): number {
    const { min } = this.params;
    const buf = this.work;
    const base = this.start;
    const gear = this.gear;
    let i = from;
    let h = this.hash;
    for (const stop = Math.min(end, min + GEAR_WINDOW); i < stop; i++) {
      h = ((h << 1) + gear[buf[base + i]!]!) | 0;
      if ((h & (i < normal ? this.maskS : this.maskL)) === 0) return i + 1;
    }
    this.hash = h;
    for (; i < end; i += SCAN_WINDOW) {
      const p = gearScan(gear, buf, base + i, Math.min(SCAN_WINDOW, end - i), base + normal, this.maskS, this.maskL);
      if (p >= 0) return p - base + 1;
    }
    return -1;
  }
}
