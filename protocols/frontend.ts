// The contract between `strata serve` and each frontend (WebDAV, FTP, SMB, FUSE): what a frontend
// is given, and what it gives back. Frontends import core only through core/vfs and core/auth.
import type { Logger } from 'pino';
import type { Authenticator } from '../core/auth/authenticator.ts';
import type { User } from '../core/auth/user.ts';
import type { Vfs } from '../core/vfs/types.ts';

/** One finished protocol request, for metrics. */
export interface RequestEvent {
  protocol: 'webdav' | 'ftp' | 'smb' | 'fuse';
  /** The protocol verb: PUT, STOR, CREATE, write… */
  op: string;
  ok: boolean;
  /** Vfs error code or protocol status when not ok. */
  error?: string;
  seconds: number;
  bytesIn?: number;
  bytesOut?: number;
}

/** What every frontend is given. */
export interface FrontendContext {
  /** The Vfs a signed-in user may use (home jail, read-only, snapshot rights enforced there). */
  vfsFor(user: User): Vfs;
  auth: Authenticator;
  /** Structured logger; frontends add a request id per request with `log.child({ req })`. */
  log: Logger;
  /** Called once per finished request. */
  observe(e: RequestEvent): void;
  /**
   * Calls `onChange` with the other processes that have the archive open (they may commit changes the
   * Vfs change feed never reports), now and on each change; returns the stop function.
   */
  watchOtherProcesses(onChange: (pids: number[]) => void): () => void;
  /** Where a frontend keeps runtime state of its own, `name` in the archive directory (not archive content; docs/FORMAT.md section 2). */
  runtimePath(name: string): string;
}

/** A started frontend. Contract: `close` stops accepting, ends sessions within a few seconds, and resolves when done. */
export interface RunningFrontend {
  name: string;
  /** Where clients connect (e.g. http://127.0.0.1:8080/), for the banner. */
  urls: string[];
  close(): Promise<void>;
}

/** The address a frontend listens on. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses HOST:PORT (IPv6 as [::1]:PORT); port 0 picks a free one. */
export function parseListen(spec: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(spec);
  if (!m) throw new Error(`expected HOST:PORT, got '${spec}'`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`port out of range in '${spec}'`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}
