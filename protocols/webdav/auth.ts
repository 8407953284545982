// HTTP Basic authentication through the shared Authenticator. Basic over plain HTTP is refused
// unless the client is on loopback (127.0.0.0/8, ::1) or `allowBasicOverHttp` is set. Successful
// sign-ins are remembered for a minute (keyed by a hash of the header and address) so a burst of
// requests does not pay the password hash each time; a keep-alive connection that sends the same
// header again is matched on the connection itself, without hashing it.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Authenticator } from '../../core/auth/authenticator.ts';
import type { User } from '../../core/auth/user.ts';
import { HttpError } from './errors.ts';

const CACHE_MS = 60_000;
const CACHE_MAX = 1000;

/** True for loopback addresses (127.0.0.0/8, ::1, and their IPv4-mapped forms). */
export function isLoopback(addr: string | undefined): boolean {
  if (!addr) return false;
  const v4 = addr.startsWith('::ffff:') ? addr.slice(7) : addr;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** Signs requests in with Basic credentials. */
export class BasicAuth {
  private readonly cache = new Map<string, { user: User; until: number }>();
  /** The last sign-in on each connection. */
  private readonly byConnection = new WeakMap<Socket, { header: string; user: User; until: number }>();

  constructor(private readonly auth: Authenticator, private readonly opts: { tls: boolean; allowBasicOverHttp: boolean }) {}

  /** The user of `req`; 401 without (valid) credentials, 403 when Basic is refused on this connection. */
  async userOf(req: IncomingMessage): Promise<User> {
    const remote = req.socket.remoteAddress ?? 'unknown';
    const header = req.headers.authorization;
    if (!header) {
      if (this.auth.anonymous) return this.auth.anonymous;
      throw new HttpError(401, 'authentication required');
    }
    if (!this.opts.tls && !this.opts.allowBasicOverHttp && !isLoopback(remote)) {
      throw new HttpError(403, 'Basic authentication over plain HTTP is refused: use HTTPS (or set allowBasicOverHttp)');
    }
    const last = this.byConnection.get(req.socket);
    if (last && last.header === header && last.until > Date.now()) return last.user;
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!m) throw new HttpError(401, 'only Basic authentication is supported');
    const key = createHash('sha256').update(`${remote}\0${header}`).digest('base64');
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) {
      this.byConnection.set(req.socket, { header, ...hit });
      return hit.user;
    }
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new HttpError(401, 'malformed Basic credentials');
    const user = await this.auth.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1), remote, 'webdav');
    if (!user) throw new HttpError(401, 'wrong user name or password');
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    const until = Date.now() + CACHE_MS;
    this.cache.set(key, { user, until });
    this.byConnection.set(req.socket, { header, user, until });
    return user;
  }
}
