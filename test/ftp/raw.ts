// Test helper: a bare FTP control connection, to send exactly what a test wants (bad input included).
import { connect, type Socket } from 'node:net';

/** One reply: its code and all of its text. */
export interface Reply {
  code: number;
  text: string;
}

/** A raw control connection that reads whole (multi-line) replies. */
export class RawFtp {
  private buf = '';
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    sock.on('error', () => {});
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Connects and reads the greeting. */
  static async open(port: number): Promise<RawFtp> {
    const sock = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', () => resolve());
      sock.once('error', reject);
    });
    const c = new RawFtp(sock);
    const hello = await c.reply();
    if (hello.code !== 220) throw new Error(`greeting: ${hello.text}`);
    return c;
  }

  /** Reads the next complete reply (rejects after `timeoutMs` or when the connection closes first). */
  async reply(timeoutMs = 10_000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = this.take();
      if (r) return r;
      if (this.closed) throw new Error(`connection closed; pending: ${JSON.stringify(this.buf)}`);
      if (Date.now() > deadline) throw new Error(`no reply in ${timeoutMs} ms; pending: ${JSON.stringify(this.buf)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  private take(): Reply | null {
    const lines = this.buf.split('\r\n');
    if (lines.length < 2) return null;
    const first = /^(\d{3})([ -])/.exec(lines[0]!);
    if (!first) throw new Error(`bad reply line ${JSON.stringify(lines[0])}`);
    let end = 0;
    if (first[2] === '-') {
      end = lines.findIndex((l, i) => i > 0 && i < lines.length - 1 && l.startsWith(`${first[1]} `));
      if (end < 0) return null;
    }
    const text = lines.slice(0, end + 1).join('\n');
    this.buf = lines.slice(end + 1).join('\r\n');
    return { code: Number(first[1]), text };
  }

  /** Sends one raw line (CRLF added). */
  send(line: string | Buffer): void {
    this.sock.write(Buffer.concat([Buffer.isBuffer(line) ? line : Buffer.from(line), Buffer.from('\r\n')]));
  }

  /** Sends a command and returns its reply. */
  async cmd(line: string): Promise<Reply> {
    this.send(line);
    return this.reply();
  }

  /** Signs in; throws unless it succeeds. */
  async login(user = 'u', pass = 'p'): Promise<void> {
    await this.cmd(`USER ${user}`);
    const r = await this.cmd(`PASS ${pass}`);
    if (r.code !== 230) throw new Error(`login: ${r.text}`);
  }

  /** Sends EPSV and opens the data connection it announces. */
  async passive(): Promise<Socket> {
    const r = await this.cmd('EPSV');
    const m = /\(\|\|\|(\d+)\|\)/.exec(r.text);
    if (!m) throw new Error(`EPSV: ${r.text}`);
    const data = connect(Number(m[1]), '127.0.0.1');
    data.on('error', () => {});
    await new Promise<void>((resolve) => data.once('connect', () => resolve()));
    return data;
  }

  /** Closes the control connection. */
  close(): void {
    this.sock.destroy();
  }
}

/** Reads a data connection to its end. */
export function readAll(sock: Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  return new Promise((resolve) => {
    sock.on('data', (d: Buffer) => parts.push(d));
    sock.on('close', () => resolve(Buffer.concat(parts)));
  });
}
