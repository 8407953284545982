// One process serving one archive through every enabled frontend over one shared Vfs.
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { Archive } from '../archive.ts';
import { Authenticator, type InlineUser } from '../auth/authenticator.ts';
import type { User } from '../auth/user.ts';
import { UserStore } from '../auth/user-store.ts';
import { isVfsError } from '../errors.ts';
import { scopeVfs } from '../vfs/scoped-vfs.ts';
import { createVfs, type ArchiveVfs } from '../vfs/vfs.ts';
import type { FrontendContext, RequestEvent, RunningFrontend } from '../../protocols/frontend.ts';

/** A frontend to start: its module's `start` and the options it takes. */
export interface FrontendSpec {
  name: string;
  start: (ctx: FrontendContext, opts: Record<string, unknown>) => Promise<RunningFrontend>;
  options: Record<string, unknown>;
}

/** How to run the server. */
export interface ServerOptions {
  users: InlineUser[];
  anonymous?: User | null;
  log?: Logger;
  observe?: (e: RequestEvent) => void;
}

/** A running server: its Vfs, its frontends, and a bounded graceful stop. */
export class StrataServer {
  readonly vfs: ArchiveVfs;
  readonly auth: Authenticator;
  readonly log: Logger;
  readonly frontends: RunningFrontend[] = [];
  private readonly observers: Array<(e: RequestEvent) => void> = [];

  constructor(readonly archive: Archive, opts: ServerOptions) {
    this.log = opts.log ?? pino({ level: process.env.STRATA_LOG_LEVEL ?? 'info' });
    this.vfs = createVfs(archive);
    this.auth = new Authenticator(new UserStore(archive), opts.users, this.log.child({ component: 'auth' }), opts.anonymous ?? null);
    if (opts.observe) this.observers.push(opts.observe);
  }

  /** Adds a listener for finished requests (metrics). */
  onRequest(fn: (e: RequestEvent) => void): void {
    this.observers.push(fn);
  }

  /** The context handed to every frontend. */
  context(name: string): FrontendContext {
    return {
      vfsFor: (user) => scopeVfs(this.vfs, user),
      auth: this.auth,
      log: this.log.child({ protocol: name }),
      observe: (e) => this.observers.forEach((o) => o(e)),
      watchOtherProcesses: (onChange) => this.archive.watchOtherProcesses(onChange),
      runtimePath: (file) => join(this.archive.dir, file),
    };
  }

  /** Creates every user's home directory that is missing. */
  async ensureHomes(users: User[]): Promise<void> {
    for (const u of users) {
      const names = u.home.split('/').filter(Boolean);
      for (let i = 1; i <= names.length; i++) {
        await this.vfs.mkdir('/' + names.slice(0, i).join('/')).catch((err) => {
          if (!isVfsError(err, 'EEXIST')) throw err;
        });
      }
    }
  }

  /** Starts one frontend. */
  async start(spec: FrontendSpec): Promise<RunningFrontend> {
    const running = await spec.start(this.context(spec.name), spec.options);
    this.frontends.push(running);
    this.log.info({ frontend: spec.name, urls: running.urls }, 'frontend started');
    return running;
  }

  /** Stops frontends, flushes open files and closes the archive, within `timeoutMs` for the frontends. */
  async stop(timeoutMs = 10_000): Promise<void> {
    const closing = Promise.allSettled(this.frontends.map((f) => f.close()));
    await Promise.race([closing, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    await this.vfs.flushAll().catch((err) => this.log.error({ err }, 'flush at shutdown failed'));
    await this.archive.close();
  }
}
