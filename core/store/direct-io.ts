// O_DIRECT on pack files: aligned memory and the open call. On this project's machines (VM guests whose
// free memory goes back to the host) every new page-cache page costs more than the disk transfer:
// writing 1 GiB through the page cache took 2.4–3.1 s, with O_DIRECT 0.65 s; reading 1 GiB not in the
// page cache 2.1 s against 0.45 s (by hand; docs/BENCHMARKS.md, session 18).
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** O_DIRECT offsets, lengths and buffer addresses are multiples of this (the largest logical block size in use). */
export const BLOCK = 4096;

/** `n` rounded down to a whole block. */
export function blockFloor(n: number): number {
  return n - (n % BLOCK);
}

/**
 * A page-aligned buffer of at least `bytes` (whole 64 KiB pages): WebAssembly memory is mapped on page
 * boundaries, which Node's Buffers are not. V8 reserves address space for each (some 13,000 fit), and
 * frees it with the buffer.
 */
export function alignedBuffer(bytes: number): Buffer {
  const pages = Math.ceil(bytes / 65536);
  return Buffer.from(new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer);
}

/**
 * Aligned buffers of one size, reused: each is a WebAssembly memory (V8 reserves address space for each,
 * so they are few and kept). `take` waits while all `most` are lent.
 */
export class AlignedBuffers {
  private readonly free: Buffer[] = [];
  private lent = 0;
  private readonly waiting: Array<(b: Buffer) => void> = [];

  constructor(readonly size: number, private readonly most: number) {}

  take(): Promise<Buffer> {
    const b = this.free.pop();
    if (b) return Promise.resolve(b);
    if (this.lent < this.most) {
      this.lent++;
      return Promise.resolve(alignedBuffer(this.size));
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  give(b: Buffer): void {
    const next = this.waiting.shift();
    if (next) next(b);
    else this.free.push(b);
  }
}

/** Opens `path` with O_DIRECT and `flags`; null where the filesystem has no O_DIRECT (tmpfs, some FUSE filesystems). */
export async function openDirect(path: string, flags: number): Promise<FileHandle | null> {
  try {
    return await open(path, flags | constants.O_DIRECT);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EINVAL') return null;
    throw err;
  }
}

/** Largest read `readDirect` takes (a whole chunk at the largest average size offered, plus its header). */
const SCRATCH_BYTES = 16 * 1024 * 1024 + 2 * BLOCK;
/** Reads in flight at once: libuv runs four. */
const scratch = new AlignedBuffers(SCRATCH_BYTES, 6);

/** True when `readDirect` can read `length` bytes at once. */
export function fitsDirectRead(length: number): boolean {
  return length + 2 * BLOCK <= SCRATCH_BYTES;
}

/** Bytes of an aligned buffer that a direct read of `length` bytes at `offset` fills (the enclosing whole blocks). */
export function directSpan(offset: number, length: number): number {
  return blockFloor(offset + length + BLOCK - 1) - blockFloor(offset);
}

/** Reads the whole blocks around [offset, offset + length) of `fh` (opened with O_DIRECT) into the aligned `buf`; the bytes asked for (fewer at the end of the file). */
async function readBlocks(fh: FileHandle, offset: number, length: number, buf: Buffer): Promise<Buffer> {
  const start = blockFloor(offset);
  const span = directSpan(offset, length);
  let got = 0;
  while (got < span) {
    const { bytesRead } = await fh.read(buf, got, span - got, start + got);
    got += bytesRead;
    if (bytesRead === 0 || bytesRead % BLOCK !== 0) break; // the end of the file
  }
  return buf.subarray(offset - start, Math.max(offset - start, Math.min(offset - start + length, got)));
}

/**
 * Reads `length` bytes at `offset` of `fh` (opened with O_DIRECT): into `aligned` (page-aligned, with
 * room for `directSpan`) and returns a view of it; else into `into` at its start, through a scratch
 * buffer. Fewer bytes at the end of the file.
 */
export async function readDirect(fh: FileHandle, offset: number, length: number, into: { aligned: Buffer } | Buffer): Promise<Buffer> {
  if (!Buffer.isBuffer(into)) return readBlocks(fh, offset, length, into.aligned);
  const buf = await scratch.take();
  try {
    const got = await readBlocks(fh, offset, length, buf);
    got.copy(into, 0);
    return into.subarray(0, got.length);
  } finally {
    scratch.give(buf);
  }
}
