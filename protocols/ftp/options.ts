// The FTP frontend's options: what `strata serve --ftp` passes, with defaults filled in once.
import { readFileSync } from 'node:fs';
import type { User } from '../../core/auth/user.ts';
import type { ListenAddress } from '../frontend.ts';

/** PEM text or a path to a PEM file. */
export type PemSource = string | Buffer;

/** Options of the FTP frontend; everything except `listen` is optional. */
export interface FtpOptions {
  listen: ListenAddress;
  /** Passive data ports, inclusive, e.g. [40000, 40100]; default: ephemeral ports. */
  pasvPortRange?: [number, number];
  /** The address told to clients in PASV replies (host name or IPv4); default: the listen host, or the control connection's local address when listening on a wildcard. */
  pasvUrl?: string;
  /** Certificate and key (PEM text or file paths): enables AUTH TLS (explicit FTPS). */
  tls?: { cert: PemSource; key: PemSource };
  /** Where to accept implicit FTPS (TLS from the first byte); needs `tls`. */
  implicitTlsListen?: ListenAddress;
  /** Refuse USER/PASS on a control connection that is not under TLS (needs `tls`). Default false. */
  requireTls?: boolean;
  /** Allow active mode (PORT/EPRT, data connections to the client's own address only). Default false. */
  allowActive?: boolean;
  /** Accept `anonymous`/`ftp` with any password as a read-only user; true uses the server's anonymous user or the whole archive. Default off. */
  anonymous?: boolean | User;
  /** Close a control connection idle this long (no transfer running). Default 300. */
  idleTimeoutSeconds?: number;
  /** Abort a transfer when its data connection moves no bytes this long, or is not opened in time. Default 60. */
  dataTimeoutSeconds?: number;
  /** Close a connection that has not signed in this long after connecting. Default 60. */
  loginTimeoutSeconds?: number;
  /** Most simultaneous control connections; more get 421. Default 256. */
  maxSessions?: number;
  /** Delay before answering a wrong password, milliseconds. Default 500. */
  failedLoginDelayMs?: number;
}

/** Options with every default applied and PEM files read. */
export interface ResolvedFtpOptions {
  listen: ListenAddress;
  pasvPortRange: [number, number] | null;
  pasvUrl: string | null;
  tls: { cert: Buffer; key: Buffer } | null;
  implicitTlsListen: ListenAddress | null;
  requireTls: boolean;
  allowActive: boolean;
  anonymous: User | null;
  idleTimeoutMs: number;
  dataTimeoutMs: number;
  loginTimeoutMs: number;
  maxSessions: number;
  failedLoginDelayMs: number;
}

function pem(src: PemSource): Buffer {
  if (Buffer.isBuffer(src)) return src;
  return src.includes('-----BEGIN') ? Buffer.from(src) : readFileSync(src);
}

function checkRange(r: [number, number]): [number, number] {
  const [lo, hi] = r;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi > 65535 || lo > hi) throw new Error(`ftp: pasvPortRange must be two ports lo <= hi, got ${JSON.stringify(r)}`);
  return [lo, hi];
}

/** Applies defaults and validates; throws a plain Error on bad options. */
export function resolveOptions(opts: FtpOptions, serverAnonymous: User | null): ResolvedFtpOptions {
  if (!opts.listen) throw new Error('ftp: listen address required');
  if (opts.implicitTlsListen && !opts.tls) throw new Error('ftp: implicitTlsListen needs tls { cert, key }');
  if (opts.requireTls && !opts.tls) throw new Error('ftp: requireTls needs tls { cert, key }');
  const anon = opts.anonymous;
  const anonymous: User | null = !anon
    ? null
    : { ...(anon === true ? (serverAnonymous ?? { name: 'anonymous', home: '/' }) : anon), readOnly: true, snapshotCreate: false, snapshotDelete: false } as User;
  return {
    listen: opts.listen,
    pasvPortRange: opts.pasvPortRange ? checkRange(opts.pasvPortRange) : null,
    pasvUrl: opts.pasvUrl ?? null,
    tls: opts.tls ? { cert: pem(opts.tls.cert), key: pem(opts.tls.key) } : null,
    implicitTlsListen: opts.implicitTlsListen ?? null,
    requireTls: opts.requireTls ?? false,
    allowActive: opts.allowActive ?? false,
    anonymous,
    idleTimeoutMs: (opts.idleTimeoutSeconds ?? 300) * 1000,
    dataTimeoutMs: (opts.dataTimeoutSeconds ?? 60) * 1000,
    loginTimeoutMs: (opts.loginTimeoutSeconds ?? 60) * 1000,
    maxSessions: opts.maxSessions ?? 256,
    failedLoginDelayMs: opts.failedLoginDelayMs ?? 500,
  };
}
