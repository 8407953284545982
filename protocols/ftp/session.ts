// One FTP control connection: reads command lines, runs them one at a time (ABOR out of band),
// writes replies, holds the session state (user, working directory, TYPE, REST, RNFR, PROT) and
// enforces the login, idle and line-length limits.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { User } from '../../core/auth/user.ts';
import type { Vfs } from '../../core/vfs/types.ts';
import type { FrontendContext } from '../frontend.ts';
import { COMMANDS } from './commands/index.ts';
import { FtpFail, type CommandSpec } from './commands/types.ts';
import { ControlReader, type ControlInput } from './control-reader.ts';
import { DataChannel, DataConnectionError, plainAddress } from './data-channel.ts';
import { replyForError } from './errors.ts';
import { ALL_FACTS, type Fact } from './listing.ts';
import type { ResolvedFtpOptions } from './options.ts';
import { resolvePath } from './paths.ts';
import { Transfer, TransferAborted } from './transfer.ts';
import { isVfsError } from '../../core/errors.ts';

/** What every session of one frontend shares. */
export interface FtpShared {
  ctx: FrontendContext;
  opts: ResolvedFtpOptions;
  tlsContext: SecureContext | null;
}

/** Queued command lines beyond which the control socket stops reading. */
const MAX_QUEUED = 32;

/** One control connection and its state. */
export class Session {
  readonly id = randomBytes(4).toString('hex');
  readonly log: Logger;
  readonly remote: string;
  readonly data: DataChannel;
  socket: Socket;
  secure: boolean;
  /** Data connections under TLS (PROT P). */
  protectData: boolean;
  pbszDone = false;
  pendingUser: string | null = null;
  user: User | null = null;
  vfs: Vfs | null = null;
  cwd = '/';
  type: 'A' | 'I' = 'A';
  restOffset = 0;
  renameFrom: string | null = null;
  epsvAll = false;
  facts = new Set<Fact>(ALL_FACTS);
  failedLogins = 0;
  /** The verb of the command run before the current one (RNTO must follow RNFR). */
  previousVerb = '';
  transfer: Transfer | null = null;
  closed = false;

  private readonly reader = new ControlReader();
  private readonly queue: ControlInput[] = [];
  private running: Promise<void> | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private loginTimer: NodeJS.Timeout | null = null;
  private seq = 0;

  constructor(socket: Socket, readonly shared: FtpShared, private readonly onClose: (s: Session) => void) {
    this.socket = socket;
    this.secure = socket instanceof TLSSocket;
    this.protectData = this.secure;
    this.remote = plainAddress(socket.remoteAddress);
    this.log = shared.ctx.log.child({ session: this.id, remote: this.remote });
    this.data = new DataChannel({ remote: this.remote, local: plainAddress(socket.localAddress) }, shared.opts.pasvPortRange, shared.opts.dataTimeoutMs);
    this.attach(socket);
    socket.setNoDelay(true);
    this.loginTimer = setTimeout(() => {
      if (!this.user) void this.shutdown(421, 'Login timeout: closing control connection');
    }, shared.opts.loginTimeoutMs);
    this.touch();
  }

  get opts(): ResolvedFtpOptions {
    return this.shared.opts;
  }

  /** Sends the greeting. */
  async greet(): Promise<void> {
    await this.reply(220, 'strata FTP server ready');
  }

  private attach(sock: Socket): void {
    sock.on('data', (d: Buffer) => this.received(d));
    sock.on('error', (err) => this.log.debug({ err }, 'control connection error'));
    sock.on('close', () => this.closedByPeer());
  }

  private received(d: Buffer): void {
    this.touch();
    for (const input of this.reader.push(d)) {
      if ('line' in input && this.transfer && /^\s*ABOR\s*$/i.test(input.line)) void this.abortTransfer();
      else this.queue.push(input);
    }
    if (this.queue.length > MAX_QUEUED) this.socket.pause();
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.running || this.closed) return;
    while (this.queue.length > 0 && !this.closed) {
      const input = this.queue.shift()!;
      if (this.queue.length <= MAX_QUEUED / 2) this.socket.resume();
      this.running = 'tooLong' in input ? this.reply(500, 'Command line too long') : this.execute(input.line);
      await this.running;
      this.running = null;
    }
  }

  /** Runs one command line, replying with the mapped error when it fails; never throws. */
  private async execute(line: string): Promise<void> {
    const sp = line.indexOf(' ');
    const verb = (sp < 0 ? line : line.slice(0, sp)).trim().toUpperCase();
    const arg = sp < 0 ? '' : line.slice(sp + 1);
    // The command's id goes into each line it logs: a child logger per command cost more than the
    // lines, which most commands never log.
    const req = `${this.id}-${++this.seq}`;
    const started = process.hrtime.bigint();
    const spec = COMMANDS[verb];
    this.outcome = { code: 0 };
    try {
      if (verb === '') throw new FtpFail(500, 'Empty command');
      if (!spec) throw new FtpFail(502, `Command not implemented: ${verb.slice(0, 16).replace(/[^\x20-\x7e]/g, '?')}`);
      if (spec.login && !this.user) throw new FtpFail(530, 'Please sign in with USER and PASS');
      this.log.debug({ req, verb, arg: verb === 'PASS' ? '***' : arg.slice(0, 200) }, 'command');
      await spec.run(this, arg);
    } catch (err) {
      await this.replyError(err, spec, verb, req);
    } finally {
      if (spec) this.previousVerb = verb;
    }
    const { code, error, bytesIn, bytesOut } = this.outcome;
    const ok = code > 0 && code < 400;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.shared.ctx.observe({ protocol: 'ftp', op: spec ? verb : 'unknown', ok, ...(ok ? {} : { error: error ?? String(code) }), seconds, bytesIn, bytesOut });
    if (!ok) this.log.info({ req, verb, code, error }, 'command failed');
  }

  private async replyError(err: unknown, spec: CommandSpec | undefined, verb: string, req: string): Promise<void> {
    let reply: { code: number; text: string };
    if (err instanceof FtpFail) reply = err;
    else if (err instanceof DataConnectionError) reply = { code: 425, text: `Cannot open data connection: ${err.message}` };
    else if (err instanceof TransferAborted) reply = { code: 426, text: `Transfer aborted: ${err.message}` };
    else {
      reply = replyForError(err, spec?.op ?? 'read');
      if (isVfsError(err)) this.outcome.error = err.code;
      else this.log.error({ req, err, verb }, 'command failed unexpectedly');
    }
    await this.reply(reply.code, reply.text);
  }

  /** The current command's final reply code, Vfs error and bytes moved (for the request event). */
  private outcome: { code: number; error?: string; bytesIn?: number; bytesOut?: number } = { code: 0 };

  /** Starts a transfer that ABOR and shutdown can reach. */
  beginTransfer(): Transfer {
    const t = new Transfer();
    this.transfer = t;
    return t;
  }

  /** Ends the current transfer and records its byte counts for the request event. */
  endTransfer(t: Transfer): void {
    this.outcome.bytesIn = t.bytesIn;
    this.outcome.bytesOut = t.bytesOut;
    t.socket?.destroy();
    if (this.transfer === t) this.transfer = null;
    this.data.reset();
    this.restOffset = 0;
  }

  /** Replies 150 and opens the prepared data connection for `t` (425 first when none was prepared). */
  async connectData(t: Transfer, preliminary: string): Promise<Socket> {
    if (!this.data.prepared) throw new FtpFail(425, 'Use PASV or EPSV first');
    await this.reply(150, preliminary);
    const sock = await this.data.open(this.protectData ? this.shared.tlsContext : null);
    t.attach(sock, this.opts.dataTimeoutMs);
    t.check();
    return sock;
  }

  private async abortTransfer(): Promise<void> {
    const t = this.transfer;
    if (!t) return;
    t.abort('ABOR received');
    await this.running;
    await this.reply(226, 'ABOR successful');
  }

  /** Writes a reply: one line, or `text` then `body` lines (each led by a space) then `code end`. */
  async reply(code: number, text: string, body?: string[], end = 'End'): Promise<void> {
    if (this.closed) return;
    const clean = (s: string) => s.replace(/[\r\n]/g, ' ');
    const out = body ? `${code}-${clean(text)}\r\n${body.map((l) => ` ${clean(l)}\r\n`).join('')}${code} ${clean(end)}\r\n` : `${code} ${clean(text)}\r\n`;
    if (code >= 200) this.outcome.code = code;
    if (!this.socket.write(out)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.socket.off('drain', done);
          this.socket.off('close', done);
          resolve();
        };
        this.socket.on('drain', done);
        this.socket.on('close', done);
      });
    }
  }

  /** Signs `user` in: from now on every path goes through their scoped Vfs. */
  signIn(user: User): void {
    this.user = user;
    this.vfs = this.shared.ctx.vfsFor(user);
    this.cwd = '/';
    if (this.loginTimer) clearTimeout(this.loginTimer);
    this.loginTimer = null;
  }

  /** The signed-in user's Vfs. */
  get fs(): Vfs {
    if (!this.vfs) throw new FtpFail(530, 'Please sign in with USER and PASS');
    return this.vfs;
  }

  /** Resolves a path argument against the working directory; 501 for NUL or an empty argument. */
  path(arg: string): string {
    if (arg.includes('\0')) throw new FtpFail(501, 'Path contains a NUL character');
    return resolvePath(this.cwd, arg);
  }

  /** Switches the control connection to TLS (after replying 234 to AUTH TLS). */
  upgradeToTls(ctx: SecureContext): void {
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('close');
    const secure = new TLSSocket(raw, { isServer: true, secureContext: ctx });
    this.socket = secure;
    this.secure = true;
    this.attach(secure);
    secure.on('error', () => secure.destroy());
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.idle(), this.opts.idleTimeoutMs);
  }

  private idle(): void {
    if (this.transfer) return this.touch();
    void this.shutdown(421, `Idle timeout (${Math.round(this.opts.idleTimeoutMs / 1000)} s): closing control connection`);
  }

  /** Replies `code text` (if given), aborts any transfer and closes the connection. */
  async shutdown(code?: number, text?: string): Promise<void> {
    if (this.closed) return;
    this.transfer?.abort(text ?? 'session closed');
    if (code) await this.reply(code, text ?? '');
    this.closed = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
    this.cleanup();
  }

  private closedByPeer(): void {
    this.closed = true;
    this.transfer?.abort('control connection closed');
    this.cleanup();
  }

  private cleanup(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.loginTimer) clearTimeout(this.loginTimer);
    this.idleTimer = this.loginTimer = null;
    this.data.reset(true);
    this.onClose(this);
  }
}
