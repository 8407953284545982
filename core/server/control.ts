// The control socket: while `strata serve` runs, CLI maintenance that must happen inside the server
// (prune, which must see open files; snapshot, which must flush them first) is sent here.
import { existsSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';

/** A request over the control socket. */
export type ControlRequest =
  | { cmd: 'snapshot'; name?: string }
  | { cmd: 'prune'; dryRun?: boolean; repackAbove?: number };

/** Path of an archive's control socket. */
export function controlSocketPath(archiveDir: string): string {
  return join(archiveDir, 'control.sock');
}

/** Listens on the archive's control socket (mode 0600); `handle` answers each request. */
export function startControlServer(archiveDir: string, handle: (req: ControlRequest) => Promise<unknown>): Promise<Server> {
  const path = controlSocketPath(archiveDir);
  rmSync(path, { force: true });
  const server = createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      buf += d;
      if (buf.length > 65536) sock.destroy();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      let req: ControlRequest;
      try {
        req = JSON.parse(buf.slice(0, nl)) as ControlRequest;
      } catch {
        sock.end(JSON.stringify({ error: 'malformed request' }) + '\n');
        return;
      }
      handle(req).then(
        (result) => sock.end(JSON.stringify({ result }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) + '\n'),
        (err: Error) => sock.end(JSON.stringify({ error: err.message }) + '\n'),
      );
    });
    sock.on('error', () => undefined);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const previous = process.umask(0o177);
    server.listen(path, () => {
      process.umask(previous);
      resolve(server);
    });
  });
}

/** Sends `req` to a running server; resolves with its result, or null when no server answers. */
export function askServer(archiveDir: string, req: ControlRequest): Promise<{ result?: unknown; error?: string } | null> {
  const path = controlSocketPath(archiveDir);
  if (!existsSync(path)) return Promise.resolve(null);
  return new Promise((resolve) => {
    const sock = connect(path);
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(JSON.stringify(req) + '\n'));
    sock.on('data', (d: string) => (buf += d));
    sock.on('end', () => {
      try {
        resolve(JSON.parse(buf) as { result?: unknown; error?: string });
      } catch {
        resolve({ error: 'the server sent a malformed answer' });
      }
    });
    sock.on('error', () => resolve(null));
  });
}
