// The SMB server: a TCP listener, the command routing table, graceful close, and the subscription to the Vfs
// change feed that lets other frontends' changes wake CHANGE_NOTIFY and break oplocks and leases.
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { User } from '../../core/auth/user.ts';
import type { VfsChange } from '../../core/vfs/types.ts';
import type { FrontendContext } from '../frontend.ts';
import { cancel } from './cancel.ts';
import { changeNotify } from './change-notify.ts';
import { close, releaseOpen } from './close.ts';
import { create } from './create.ts';
import { dispatch, type Route } from './dispatcher.ts';
import { echo } from './echo.ts';
import { flush } from './flush.ts';
import { filetimeOfDate } from './fscc.ts';
import { Command } from './header.ts';
import { ioctl } from './ioctl.ts';
import { lock, ByteRangeLocks } from './lock.ts';
import { logoff } from './logoff.ts';
import { negotiate, negotiateSmb1 } from './negotiate.ts';
import { OpenTable } from './open-table.ts';
import { oplockBreak } from './oplock-break.ts';
import { Oplocks } from './oplock.ts';
import { queryDirectory } from './query-directory.ts';
import { queryInfo } from './query-info.ts';
import { read } from './read.ts';
import { sessionSetup } from './session-setup.ts';
import { setInfo } from './set-info.ts';
import type { ServerConfig } from './state.ts';
import { treeConnect } from './tree-connect.ts';
import { treeDisconnect } from './tree-disconnect.ts';
import { Connection } from './transport.ts';
import { Watchers } from './watch.ts';
import { write } from './write.ts';

/** Options of the SMB frontend. */
export interface SmbOptions {
  shareName?: string;
  /** Require signed requests on every session (default true). */
  signingRequired?: boolean;
  /** Require SMB 3.x encryption on every session (default false). */
  encryptData?: boolean;
  /** Accept NTLMv1 responses — insecure, for old clients only (default false). */
  allowNtlmV1?: boolean;
  /** How long an oplock or lease break waits for the client's acknowledgment, in ms (default 35000, as [MS-SMB2]). */
  oplockBreakTimeoutMs?: number;
}

/** The view the server watches the whole archive's changes through (paths from the archive root). */
const CHANGES_USER: User = { name: 'smb-change-notify', home: '/', readOnly: true, snapshotCreate: false, snapshotDelete: false };

/** Every command the server handles, and what it needs resolved first. */
export const ROUTES = new Map<number, Route>([
  [Command.NEGOTIATE, { handler: negotiate, needs: 'none' }],
  [Command.SESSION_SETUP, { handler: sessionSetup, needs: 'none' }],
  [Command.LOGOFF, { handler: logoff, needs: 'session' }],
  [Command.TREE_CONNECT, { handler: treeConnect, needs: 'session' }],
  [Command.TREE_DISCONNECT, { handler: treeDisconnect, needs: 'tree' }],
  [Command.CREATE, { handler: create, needs: 'tree' }],
  [Command.CLOSE, { handler: close, needs: 'tree' }],
  [Command.FLUSH, { handler: flush, needs: 'tree' }],
  [Command.READ, { handler: read, needs: 'tree' }],
  [Command.WRITE, { handler: write, needs: 'tree' }],
  [Command.LOCK, { handler: lock, needs: 'tree' }],
  [Command.IOCTL, { handler: ioctl, needs: 'session' }],
  [Command.CANCEL, { handler: cancel, needs: 'none' }],
  [Command.ECHO, { handler: echo, needs: 'none' }],
  [Command.QUERY_DIRECTORY, { handler: queryDirectory, needs: 'tree' }],
  [Command.CHANGE_NOTIFY, { handler: changeNotify, needs: 'tree' }],
  [Command.QUERY_INFO, { handler: queryInfo, needs: 'tree' }],
  [Command.SET_INFO, { handler: setInfo, needs: 'tree' }],
  [Command.OPLOCK_BREAK, { handler: oplockBreak, needs: 'session' }],
]);

/** A listening SMB server. */
export class SmbServer {
  private readonly server: Server;
  private readonly conns = new Set<Connection>();
  /** Stops the Vfs change feed subscription (set while listening). */
  private unwatch: (() => void) | null = null;
  readonly config: ServerConfig;

  constructor(private readonly ctx: FrontendContext, opts: SmbOptions) {
    this.config = {
      shareName: opts.shareName ?? 'share',
      signingRequired: opts.signingRequired ?? true,
      encryptData: opts.encryptData ?? false,
      allowNtlmV1: opts.allowNtlmV1 ?? false,
      serverGuid: randomBytes(16),
      startTime: filetimeOfDate(new Date()),
      netbiosName: 'STRATA',
      dnsName: 'strata',
      maxIo: 8 * 1024 * 1024,
      locks: new ByteRangeLocks(),
      opens: new OpenTable(),
      oplocks: new Oplocks(opts.oplockBreakTimeoutMs ?? 35_000),
      watchers: new Watchers(),
      origin: `smb:${randomBytes(8).toString('hex')}`,
      tagged: new WeakMap(),
    };
    this.server = createServer({ pauseOnConnect: true }, (s) => this.accept(s));
  }

  /** Reacts to a change made through another frontend (changes made through this server are reported by its handlers). */
  private vfsChanged(c: VfsChange): void {
    if (c.origin === this.config.origin) return;
    const { opens, oplocks, watchers } = this.config;
    if (c.action === 'renamed' && c.from !== undefined) opens.moved(c.from, c.path);
    oplocks.vfsChanged(opens, c);
    watchers.vfsChanged(c);
  }

  private accept(socket: Socket): void {
    const conn = new Connection(socket, this.config, this.ctx, (c, pdu) => dispatch(c, ROUTES, pdu, negotiateSmb1), releaseOpen);
    this.conns.add(conn);
    socket.on('close', () => this.conns.delete(conn));
    socket.resume();
  }

  /** Starts listening; resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        this.unwatch = this.ctx.vfsFor(CHANGES_USER).watch((c) => this.vfsChanged(c));
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  /** Stops accepting, closes every connection (releasing their opens), and resolves when done. */
  async close(): Promise<void> {
    this.unwatch?.();
    this.unwatch = null;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const conns = [...this.conns];
    for (const c of conns) c.destroy();
    this.config.oplocks.shutdown();
    await Promise.all(conns.map((c) => c.idle().catch(() => undefined)));
    await closed;
  }
}
