// One session's data connection: passive (we listen, the client connects) or active (we connect
// back to the client), optionally under TLS (PROT P). Only the control connection's own address
// may connect or be connected to, so nobody can steal a transfer or bounce through us.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';

/** Why a data connection could not be made; the session replies 425 with this text. */
export class DataConnectionError extends Error {}

/** Normalises an IPv4-mapped IPv6 address (::ffff:1.2.3.4) to its IPv4 form. */
export function plainAddress(addr: string | undefined): string {
  return (addr ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

/** How long a data connection that no transfer used stays open before it is dropped. */
const UNUSED_SOCKET_GRACE_MS = 1000;

/** Passive ports this process holds, so sessions do not race for the same one. */
const heldPorts = new Set<number>();

function listenOn(server: Server, host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onError = () => resolve(false);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve(true);
    });
  });
}

/** Opens a listener for one passive connection, on a free port of `range` (or an ephemeral one). */
async function listenPassive(server: Server, host: string, range: [number, number] | null): Promise<number> {
  if (!range) {
    if (!(await listenOn(server, host, 0))) throw new DataConnectionError('Cannot open a passive port');
    return (server.address() as { port: number }).port;
  }
  const [lo, hi] = range;
  const count = hi - lo + 1;
  const first = Math.floor(Math.random() * count);
  for (let i = 0; i < count; i++) {
    const port = lo + ((first + i) % count);
    if (heldPorts.has(port)) continue;
    heldPorts.add(port);
    if (await listenOn(server, host, port)) return port;
    heldPorts.delete(port);
  }
  throw new DataConnectionError(`No passive port free in ${lo}-${hi}; try again later`);
}

type Pending =
  | { kind: 'passive'; server: Server; port: number; accepted: Promise<Socket>; socket: Socket | null }
  | { kind: 'active'; host: string; port: number };

/** The data connection of one control connection. */
export class DataChannel {
  private pending: Pending | null = null;

  constructor(
    private readonly control: { remote: string; local: string },
    private readonly range: [number, number] | null,
    private readonly timeoutMs: number,
  ) {}

  /** True when PASV/EPSV/PORT/EPRT has prepared a connection for the next transfer. */
  get prepared(): boolean {
    return this.pending !== null;
  }

  /** Starts listening for the client's data connection; returns the port to announce. */
  async passive(): Promise<number> {
    this.reset();
    const server = createServer({ pauseOnConnect: true });
    const port = await listenPassive(server, this.control.local, this.range);
    let accept!: (s: Socket) => void;
    const accepted = new Promise<Socket>((r) => (accept = r));
    const pending: Pending = { kind: 'passive', server, port, accepted, socket: null };
    server.on('connection', (sock: Socket) => {
      if (plainAddress(sock.remoteAddress) !== this.control.remote || pending.socket) {
        sock.destroy();
        return;
      }
      pending.socket = sock;
      sock.on('error', () => {});
      this.closeListener(pending);
      accept(sock);
    });
    server.on('error', () => {});
    this.pending = pending;
    return port;
  }

  /** Remembers where to connect for the next transfer (PORT/EPRT). */
  active(host: string, port: number): void {
    this.reset();
    this.pending = { kind: 'active', host, port };
  }

  private closeListener(p: Pending): void {
    if (p.kind !== 'passive') return;
    p.server.close();
    if (this.range) heldPorts.delete(p.port);
  }

  /** The connection for one transfer (TLS-wrapped when `tls` is given); consumes the preparation. */
  async open(tls: SecureContext | null): Promise<Socket> {
    const p = this.pending;
    if (!p) throw new DataConnectionError('Use PASV or EPSV first');
    this.pending = null;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DataConnectionError('Data connection not opened in time')), this.timeoutMs);
    });
    try {
      const raw = p.kind === 'passive' ? await Promise.race([p.accepted, timeout]) : await Promise.race([this.connectActive(p.host, p.port), timeout]);
      raw.setNoDelay(true);
      if (!tls) return raw; // still paused: an upload reads it, a download resumes it
      const secure = new TLSSocket(raw, { isServer: true, secureContext: tls });
      await Promise.race([
        new Promise<void>((resolve, reject) => {
          secure.once('secure', () => resolve());
          // A client that sends nothing (an empty upload) may finish the handshake and close at once;
          // Node then ends the socket without 'secure'. That is an empty, complete stream.
          secure.once('end', () => resolve());
          secure.once('error', (e) => reject(new DataConnectionError(`TLS on the data connection failed: ${e.message}`)));
        }),
        timeout,
      ]).catch((e) => {
        secure.destroy();
        throw e;
      });
      return secure;
    } catch (err) {
      if (p.kind === 'passive') {
        this.closeListener(p);
        p.socket?.destroy();
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private connectActive(host: string, port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const sock = connect({ host, port, localAddress: this.control.local });
      sock.once('connect', () => {
        sock.off('error', reject);
        sock.on('error', () => {});
        resolve(sock);
      });
      sock.once('error', () => reject(new DataConnectionError(`Cannot connect to ${host}:${port}`)));
    });
  }

  /**
   * Drops any prepared connection. A data connection the client opened but no transfer used (the
   * command failed first) is closed a moment later, so the client reads the error reply before it
   * sees its data connection reset; `now` closes it at once (the session is ending).
   */
  reset(now = false): void {
    const p = this.pending;
    this.pending = null;
    if (p?.kind !== 'passive') return;
    this.closeListener(p);
    const sock = p.socket;
    if (!sock) return;
    if (now) sock.destroy();
    else setTimeout(() => sock.destroy(), UNUSED_SOCKET_GRACE_MS).unref();
  }
}
