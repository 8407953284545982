// A raw SMB2 wire client for malformed-input tests: frames, headers, and a few request builders.
import { connect, type Socket } from 'node:net';

/** One TCP connection speaking framed SMB2 PDUs. */
export class RawConn {
  private buf = Buffer.alloc(0);
  private waiters: Array<(b: Buffer | null) => void> = [];
  closed = false;

  private constructor(readonly sock: Socket) {
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.pump();
    });
    const end = () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w(null);
    };
    sock.on('close', end);
    sock.on('error', end);
  }

  /** Connects to 127.0.0.1:port. */
  static open(port: number): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawConn(s)));
      s.once('error', reject);
    });
  }

  private pump(): void {
    while (this.waiters.length && this.buf.length >= 4) {
      const len = this.buf.readUInt32BE(0);
      if (this.buf.length < 4 + len) return;
      const pdu = this.buf.subarray(4, 4 + len);
      this.buf = this.buf.subarray(4 + len);
      this.waiters.shift()!(pdu);
    }
  }

  /** Sends raw bytes (already framed or not). */
  sendRaw(b: Buffer): void {
    if (!this.closed) this.sock.write(b);
  }

  /** Sends one PDU with its length prefix. */
  send(pdu: Buffer): void {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(pdu.length);
    this.sendRaw(Buffer.concat([len, pdu]));
  }

  /** The next PDU, or null when the server closed the connection (or `ms` passed). */
  recv(ms = 3000): Promise<Buffer | null> {
    return new Promise((resolve) => {
      if (this.closed) return resolve(null);
      const t = setTimeout(() => resolve(null), ms);
      this.waiters.push((b) => {
        clearTimeout(t);
        resolve(b);
      });
      this.pump();
    });
  }

  close(): void {
    this.sock.destroy();
  }
}

/** A request header for `command` with `messageId`, session and tree. */
export function header(command: number, messageId: number, opts: { sessionId?: bigint; treeId?: number; credits?: number; next?: number; flags?: number } = {}): Buffer {
  const h = Buffer.alloc(64);
  h.writeUInt32LE(0x424d53fe, 0);
  h.writeUInt16LE(64, 4);
  h.writeUInt16LE(1, 6);
  h.writeUInt16LE(command, 12);
  h.writeUInt16LE(opts.credits ?? 8, 14);
  h.writeUInt32LE(opts.flags ?? 0, 16);
  h.writeUInt32LE(opts.next ?? 0, 20);
  h.writeBigUInt64LE(BigInt(messageId), 24);
  h.writeUInt32LE(opts.treeId ?? 0, 36);
  h.writeBigUInt64LE(opts.sessionId ?? 0n, 40);
  return h;
}

/** A NEGOTIATE request offering `dialects` (3.1.1 gets a preauth context). */
export function negotiateRequest(messageId: number, dialects = [0x0202, 0x0210, 0x0300, 0x0311]): Buffer {
  const body = Buffer.alloc(36 + dialects.length * 2);
  body.writeUInt16LE(36, 0);
  body.writeUInt16LE(dialects.length, 2);
  body.writeUInt16LE(1, 4);
  dialects.forEach((d, i) => body.writeUInt16LE(d, 36 + i * 2));
  let ctx = Buffer.alloc(0);
  if (dialects.includes(0x0311)) {
    const pad = (8 - ((64 + body.length) % 8)) % 8;
    const pre = Buffer.alloc(8 + 38);
    pre.writeUInt16LE(1, 0);
    pre.writeUInt16LE(38, 2);
    pre.writeUInt16LE(1, 8);
    pre.writeUInt16LE(32, 10);
    pre.writeUInt16LE(1, 12);
    ctx = Buffer.concat([Buffer.alloc(pad), pre]);
    body.writeUInt32LE(64 + body.length + pad, 28);
    body.writeUInt16LE(1, 32);
  }
  return Buffer.concat([header(0, messageId), body, ctx]);
}

/** The NTSTATUS of a response PDU. */
export const statusOf = (pdu: Buffer): number => pdu.readUInt32LE(8);
