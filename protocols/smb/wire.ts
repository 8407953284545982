// Bounds-checked little-endian reading and growable writing of SMB structures; a bad offset throws WireError.

/** A structure field pointed outside its message (mapped to STATUS_INVALID_PARAMETER). */
export class WireError extends Error {
  constructor(what: string) {
    super(`malformed SMB structure: ${what}`);
    this.name = 'WireError';
  }
}

/** Reads fields at absolute offsets of one buffer; every access is checked against its length. */
export class Reader {
  constructor(readonly buf: Buffer) {}

  private check(off: number, len: number, what: string): void {
    if (!Number.isInteger(off) || off < 0 || len < 0 || off + len > this.buf.length) throw new WireError(`${what} at ${off}+${len} outside ${this.buf.length}`);
  }

  /** An unsigned byte. */
  u8(off: number): number {
    this.check(off, 1, 'u8');
    return this.buf[off]!;
  }

  /** An unsigned 16-bit little-endian integer. */
  u16(off: number): number {
    this.check(off, 2, 'u16');
    return this.buf.readUInt16LE(off);
  }

  /** An unsigned 32-bit little-endian integer. */
  u32(off: number): number {
    this.check(off, 4, 'u32');
    return this.buf.readUInt32LE(off);
  }

  /** An unsigned 64-bit little-endian integer. */
  u64(off: number): bigint {
    this.check(off, 8, 'u64');
    return this.buf.readBigUInt64LE(off);
  }

  /** A 64-bit value that must fit a JS number (file offsets and sizes). */
  num64(off: number): number {
    const v = this.u64(off);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new WireError(`64-bit value ${v} too large`);
    return Number(v);
  }

  /** A slice (shared memory) of `len` bytes at `off`. */
  bytes(off: number, len: number): Buffer {
    this.check(off, len, 'bytes');
    return this.buf.subarray(off, off + len);
  }

  /** A UTF-16LE string of `len` bytes at `off`. */
  utf16(off: number, len: number): string {
    if (len % 2 !== 0) throw new WireError('odd UTF-16 length');
    return this.bytes(off, len).toString('utf16le');
  }
}

/** Builds a little-endian structure by appending fields. */
export class Writer {
  private buf = Buffer.alloc(256);
  /** Bytes written so far. */
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  /** Appends a byte. */
  u8(v: number): this {
    this.room(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  /** Appends a 16-bit integer. */
  u16(v: number): this {
    this.room(2);
    this.buf.writeUInt16LE(v & 0xffff, this.length);
    this.length += 2;
    return this;
  }

  /** Appends a 32-bit integer. */
  u32(v: number): this {
    this.room(4);
    this.buf.writeUInt32LE(v >>> 0, this.length);
    this.length += 4;
    return this;
  }

  /** Appends a 64-bit integer. */
  u64(v: bigint | number): this {
    this.room(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)), this.length);
    this.length += 8;
    return this;
  }

  /** Appends raw bytes. */
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** Appends `n` zero bytes. */
  zeros(n: number): this {
    this.room(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
    return this;
  }

  /** Pads with zeros to a multiple of `n` (relative to `base`). */
  align(n: number, base = 0): this {
    const rem = (this.length - base) % n;
    return rem === 0 ? this : this.zeros(n - rem);
  }

  /** Overwrites a 32-bit integer written earlier. */
  setU32(off: number, v: number): this {
    this.buf.writeUInt32LE(v >>> 0, off);
    return this;
  }

  /** Overwrites a 16-bit integer written earlier. */
  setU16(off: number, v: number): this {
    this.buf.writeUInt16LE(v & 0xffff, off);
    return this;
  }

  /** The bytes written (a copy-free view). */
  done(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/** UTF-16LE bytes of a string. */
export const utf16 = (s: string): Buffer => Buffer.from(s, 'utf16le');
