// The SMB2/SMB3 frontend's entry point for `strata serve --smb HOST:PORT`.
import type { FrontendContext, ListenAddress, RunningFrontend } from '../frontend.ts';
import { SmbServer, type SmbOptions } from './server.ts';

/** Options `start` takes: where to listen plus the SMB options (share name, signing, encryption, NTLMv1). */
export interface SmbStartOptions extends SmbOptions {
  listen: ListenAddress;
}

/** Starts the SMB server. */
export async function start(ctx: FrontendContext, opts: SmbStartOptions): Promise<RunningFrontend> {
  const server = new SmbServer(ctx, opts);
  const port = await server.listen(opts.listen.host, opts.listen.port);
  const host = opts.listen.host.includes(':') ? `[${opts.listen.host}]` : opts.listen.host;
  return {
    name: 'smb',
    urls: [`smb://${host}:${port}/${server.config.shareName}`],
    close: () => server.close(),
  };
}
