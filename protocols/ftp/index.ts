// The FTP/FTPS frontend: listens (plain with AUTH TLS, and optionally implicit TLS on its own
// port), runs one Session per control connection, and closes them all on shutdown.
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import type { FrontendContext, ListenAddress, RunningFrontend } from '../frontend.ts';
import { resolveOptions, type FtpOptions } from './options.ts';
import { Session, type FtpShared } from './session.ts';

function listen(server: Server, at: ListenAddress): Promise<ListenAddress> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      const a = server.address() as { address: string; port: number };
      resolve({ host: a.address, port: a.port });
    });
  });
}

function url(scheme: string, a: ListenAddress): string {
  return `${scheme}://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}/`;
}

/** Starts the FTP frontend; see FtpOptions for everything beyond `listen`. */
export async function start(ctx: FrontendContext, options: Record<string, unknown>): Promise<RunningFrontend> {
  const opts = resolveOptions(options as unknown as FtpOptions, ctx.auth.anonymous);
  const tlsContext: SecureContext | null = opts.tls ? createSecureContext({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }) : null;
  const shared: FtpShared = { ctx, opts, tlsContext };
  const sessions = new Set<Session>();
  const log = ctx.log.child({ component: 'ftp' });

  const accept = (socket: Socket) => {
    socket.on('error', () => {});
    if (sessions.size >= opts.maxSessions) {
      socket.end('421 Too many connections; try again later\r\n');
      return;
    }
    try {
      const session = new Session(socket, shared, (s) => sessions.delete(s));
      sessions.add(session);
      void session.greet();
    } catch (err) {
      log.error({ err }, 'could not start an FTP session');
      socket.destroy();
    }
  };

  const servers: Server[] = [];
  const urls: string[] = [];
  try {
    const plain = createServer(accept);
    servers.push(plain);
    const at = await listen(plain, opts.listen);
    urls.push(url('ftp', at));
    if (opts.implicitTlsListen && tlsContext) {
      // The control connection gets the data connections' context, as after AUTH TLS, so a client
      // resumes its TLS session on each data connection. With a context of its own, a third of curl's
      // uploads failed (426, the data connection reset) and lftp's arrived cut short: each client
      // closed its data connection with a reset after a full handshake.
      const implicit = createServer((raw) => {
        raw.on('error', () => {});
        const secure = new TLSSocket(raw, { isServer: true, secureContext: tlsContext });
        secure.on('error', (err) => log.debug({ err }, 'implicit FTPS connection failed'));
        accept(secure);
      });
      servers.push(implicit);
      urls.push(url('ftps', await listen(implicit, opts.implicitTlsListen)));
    }
  } catch (err) {
    for (const s of servers) s.close();
    throw err;
  }
  log.info({ urls, tls: !!tlsContext, pasvPortRange: opts.pasvPortRange, anonymous: !!opts.anonymous }, 'FTP frontend listening');

  return {
    name: 'ftp',
    urls,
    async close() {
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))).concat(
        [...sessions].map(async (s) => {
          await s.shutdown(421, 'Server shutting down');
        }),
      ));
    },
  };
}
