// Direct TCP transport ([MS-SMB2] 2.1): 4-byte big-endian length framing and the per-connection state.
import { partsLength } from '../../core/files/content.ts';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FrontendContext } from '../frontend.ts';
import { CreditWindow } from './credits.ts';
import { readInto, type ReadTarget } from './socket-reads.ts';
import type { Open, ServerConfig, Session } from './state.ts';

/** Largest PDU accepted: the largest WRITE plus headroom. */
const MAX_PDU = 8 * 1024 * 1024 + 64 * 1024;
/** Frames this large are received into a frame buffer as they arrive (a lone WRITE's is reused). */
const LARGE_FRAME = 256 * 1024;
/** Frame buffers a connection keeps for reuse. */
const SPARE_FRAMES = 2;
/**
 * Where socket reads land between large frames, shared by every connection: a read fills it and its callback
 * copies out what is kept before the event loop makes the next read.
 */
const scratch = Buffer.allocUnsafeSlow(64 * 1024);

/** A pending asynchronous request (CHANGE_NOTIFY, or a CREATE waiting for breaks) awaiting its final response. */
export interface AsyncRequest {
  asyncId: bigint;
  messageId: bigint;
  command: number;
  sessionId: bigint;
  treeId: number;
  openId: bigint;
  encrypted: boolean;
}

const SMB2_MAGIC = 0x424d53fe;
const WRITE = 0x09;

/** The command of `pdu` (or its start) when it is a single plain SMB2 request (not compounded, not encrypted), else -1. */
function loneCommand(pdu: Buffer): number {
  return pdu.length >= 64 && pdu.readUInt32LE(0) === SMB2_MAGIC && pdu.readUInt32LE(20) === 0 ? pdu.readUInt16LE(12) : -1;
}

/** One client connection: framing, negotiated state, sessions and opens. */
export class Connection implements ReadTarget {
  dialect = 0;
  /** 3.1.1 connection preauth hash. */
  preauth: Buffer = Buffer.alloc(64);
  /** Negotiated cipher (0 = none). */
  cipher = 0;
  /** Negotiated 3.x signing algorithm. */
  signingAlg = 1;
  clientGuid = Buffer.alloc(16);
  clientSecurityMode = 0;
  clientCapabilities = 0;
  serverCapabilities = 0;
  readonly sessions = new Map<bigint, Session>();
  readonly opens = new Map<bigint, Open>();
  readonly pending = new Map<bigint, AsyncRequest>();
  readonly credits = new CreditWindow();
  private nextId = 1n;
  private readonly nonceBase = randomBytes(4);
  private nonceCounter = 0n;
  private buffered: Buffer[] = [];
  /** The large frame being received straight into a buffer of its own, and how much of it has arrived. */
  private frame: Buffer | null = null;
  private frameLen = 0;
  private frameFill = 0;
  private frameReused = false;
  private readonly spareFrames: Buffer[] = [];
  private bufferedLen = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly inflight = new Set<Promise<void>>();
  /** Async continuations (CREATEs waiting for oplock or lease breaks) running outside the request queue. */
  private readonly detached = new Set<Promise<void>>();
  closed = false;

  constructor(
    readonly socket: Socket,
    readonly config: ServerConfig,
    readonly ctx: FrontendContext,
    private readonly dispatch: (conn: Connection, pdu: Buffer) => Promise<void>,
    private readonly release: (conn: Connection, open: Open) => Promise<void>,
  ) {
    socket.setNoDelay(true);
    if (!readInto(socket, this)) socket.on('data', (d) => this.onData(d));
    socket.on('error', () => this.destroy());
    socket.on('close', () => this.destroy());
  }

  /** The client's address for logs and lockouts. */
  get remote(): string {
    return this.socket.remoteAddress ?? 'unknown';
  }

  /** A fresh id for sessions, trees, files and async requests (unique on this connection). */
  newId(): bigint {
    return this.nextId++;
  }

  /** A unique nonce for the transform header. */
  nonce(): Buffer {
    const n = Buffer.alloc(16);
    n.writeBigUInt64LE(this.nonceCounter++, 0);
    this.nonceBase.copy(n, 8);
    return n;
  }

  /** The buffer the next socket read fills: the rest of the large frame being received, else the scratch buffer. */
  next(): Buffer {
    if (this.frame) return this.frame.subarray(this.frameFill, this.frameLen);
    return scratch;
  }

  /** A socket read put `n` bytes at the start of `into` (a buffer `next()` gave). */
  received(n: number, into: Buffer): void {
    if (into !== scratch) {
      this.frameFill += n;
      if (this.frameFill === this.frameLen) this.frameDone();
      return;
    }
    this.onData(Buffer.from(into.subarray(0, n)));
  }

  private onData(d: Buffer): void {
    if (this.frame) d = this.fillFrame(d);
    if (d.length > 0) {
      this.buffered.push(d);
      this.bufferedLen += d.length;
    }
    while (this.bufferedLen >= 4 && !this.closed) {
      if (this.buffered[0]!.length < 4) this.buffered = [Buffer.concat(this.buffered, this.bufferedLen)];
      const len = this.buffered[0]!.readUInt32BE(0);
      if (len > MAX_PDU || len < 4) {
        this.ctx.log.warn({ remote: this.remote, len }, 'bad SMB frame length; closing');
        this.destroy();
        return;
      }
      if (len >= LARGE_FRAME) {
        const head = Buffer.concat(this.buffered, this.bufferedLen).subarray(4);
        this.buffered = [];
        this.bufferedLen = 0;
        // A lone WRITE holds no piece of its buffer once handled (the Vfs copies what it keeps), so the
        // buffer can take the next large frame; any other request may keep pieces of its PDU.
        this.frameReused = loneCommand(head) === WRITE;
        this.frame = this.frameReused ? (this.spareFrames.pop() ?? Buffer.allocUnsafeSlow(MAX_PDU)) : Buffer.allocUnsafeSlow(len);
        this.frameLen = len;
        this.frameFill = 0;
        const rest = this.fillFrame(head);
        if (rest.length > 0) {
          this.buffered = [rest];
          this.bufferedLen = rest.length;
        }
        continue;
      }
      if (this.bufferedLen < 4 + len) return;
      const all = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered, this.bufferedLen);
      const pdu = all.subarray(4, 4 + len);
      const rest = all.subarray(4 + len);
      this.buffered = rest.length ? [rest] : [];
      this.bufferedLen = rest.length;
      this.enqueue(pdu, null);
    }
  }

  /** Copies received bytes into the large frame being assembled; returns the bytes after it. */
  private fillFrame(d: Buffer): Buffer {
    const frame = this.frame!;
    const n = Math.min(d.length, this.frameLen - this.frameFill);
    d.copy(frame, this.frameFill, 0, n);
    this.frameFill += n;
    if (this.frameFill === this.frameLen) this.frameDone();
    return d.subarray(n);
  }

  private frameDone(): void {
    const frame = this.frame!;
    this.frame = null;
    this.enqueue(frame.subarray(0, this.frameLen), this.frameReused ? frame : null);
  }

  /**
   * Queues a PDU. Requests run one after another, except a lone READ or WRITE: it starts in turn but the
   * next request does not wait for it (the Vfs orders calls on one file), so transfers overlap disk and network.
   * `frame`, the buffer of a lone WRITE, serves the next large frame once the WRITE is handled.
   */
  private enqueue(pdu: Buffer, frame: Buffer | null): void {
    const command = loneCommand(pdu);
    const run = () =>
      this.dispatch(this, pdu)
        .then(() => {
          if (frame && this.spareFrames.length < SPARE_FRAMES) this.spareFrames.push(frame);
        })
        .catch((err) => {
          this.ctx.log.error({ err, remote: this.remote }, 'SMB request failed; closing connection');
          this.destroy();
        });
    if (command !== 0x08 && command !== WRITE) {
      this.chain = this.chain.then(async () => {
        await Promise.all(this.inflight);
        await run();
      });
      return;
    }
    this.chain = this.chain.then(() => {
      const p = run().finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    });
  }

  /** Runs an async continuation outside the request queue; a failure closes the connection. */
  track(p: Promise<void>): void {
    const q: Promise<void> = p
      .catch((err) => {
        this.ctx.log.error({ err, remote: this.remote }, 'SMB async request failed; closing connection');
        this.destroy();
      })
      .finally(() => this.detached.delete(q));
    this.detached.add(q);
  }

  /** Releases one open (as CLOSE does). */
  releaseOpen(open: Open): Promise<void> {
    return this.release(this, open);
  }

  /** Sends one PDU with its length prefix (message parts are written without copying them together). */
  send(...parts: Buffer[]): void {
    this.sendThen(parts);
  }

  /** Sends one PDU like `send`, then calls `written` once the socket holds none of `parts` (at once when closed). */
  sendThen(parts: Buffer[], written?: () => void): void {
    if (this.closed) return written?.();
    const len = Buffer.alloc(4);
    len.writeUInt32BE(partsLength(parts), 0);
    this.socket.cork();
    this.socket.write(len);
    // Writes complete in order (or all fail when the socket goes): the last one's callback comes last.
    parts.forEach((p, i) => this.socket.write(p, i === parts.length - 1 ? written : undefined));
    this.socket.uncork();
  }

  /** Closes the socket and releases every open (flushing what was written, honouring delete-on-close). */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    const opens = [...this.opens.values()];
    this.chain = this.chain.then(async () => {
      await Promise.all(this.inflight);
      for (const o of opens) await this.release(this, o).catch(() => undefined);
    });
  }

  /** Resolves once every queued request has been handled. */
  async idle(): Promise<void> {
    await this.chain;
    await Promise.all(this.inflight);
    await Promise.all(this.detached);
    await this.chain;
  }
}
