// The WebDAV frontend module `strata serve --webdav HOST:PORT` loads: exports `start`.
import type { FrontendContext, RunningFrontend } from '../frontend.ts';
import { startWebdav, type WebdavOptions } from './server.ts';

/** Starts the WebDAV frontend (see WebdavOptions and docs/webdav.md for the options). */
export function start(ctx: FrontendContext, opts: Record<string, unknown>): Promise<RunningFrontend> {
  return startWebdav(ctx, opts as unknown as WebdavOptions);
}
