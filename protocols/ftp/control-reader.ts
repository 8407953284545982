// Splits the control connection's bytes into command lines: CRLF or LF, UTF-8, Telnet IAC
// sequences removed, and lines longer than the cap reported instead of buffered without end.

/** Longest command line accepted, in bytes. */
export const MAX_LINE_BYTES = 8192;

/** What the reader hands on: a decoded line, or the fact that a line was too long (and was dropped). */
export type ControlInput = { line: string } | { tooLong: true };

/** Removes Telnet IAC commands (IP, DM… sent before ABOR); IAC IAC is a literal 0xFF (never valid UTF-8 anyway). */
function stripTelnet(b: Buffer): Buffer {
  if (!b.includes(0xff)) return b;
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0xff && i + 1 < b.length) {
      const cmd = b[i + 1]!;
      i++;
      if (cmd === 0xff) out.push(0xff);
      else if (cmd >= 0xfb && cmd <= 0xfe) i++; // WILL/WONT/DO/DONT carry an option byte
      continue;
    }
    out.push(b[i]!);
  }
  return Buffer.from(out);
}

/** Incremental line splitter for one control connection. */
export class ControlReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private discarding = false;

  /** Feeds received bytes; returns the complete inputs they finish. */
  push(data: Buffer): ControlInput[] {
    const out: ControlInput[] = [];
    let start = 0;
    for (;;) {
      const nl = data.indexOf(0x0a, start);
      if (nl < 0) break;
      this.take(data.subarray(start, nl), out, true);
      start = nl + 1;
    }
    if (start < data.length) this.take(data.subarray(start), out, false);
    return out;
  }

  private take(piece: Buffer, out: ControlInput[], complete: boolean): void {
    if (!this.discarding) {
      this.pending.push(piece);
      this.pendingBytes += piece.length;
      if (this.pendingBytes > MAX_LINE_BYTES) {
        this.pending = [];
        this.pendingBytes = 0;
        this.discarding = true;
        out.push({ tooLong: true });
      }
    }
    if (!complete) return;
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    let line = stripTelnet(Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
    out.push({ line: line.toString('utf8') });
  }
}
