// CLI: `strata serve` — registers the command; the server code loads only when it runs.
import type { Command } from 'commander';
import type { ServeFlags } from '../serve/run-server.ts';

/** Registers serve. */
export function register(program: Command): void {
  program
    .command('serve [archive]')
    .description('serve the archive over WebDAV, FTP, SMB and/or a FUSE mount')
    .option('--config <file>', 'strata.yaml with frontends, users and options (see docs/configuration.md)')
    .option('--webdav <host:port>', 'serve WebDAV here')
    .option('--ftp <host:port>', 'serve FTP here')
    .option('--smb <host:port>', 'serve SMB here')
    .option('--mount <dir>', 'mount the archive here (FUSE)')
    .option('--metrics <host:port>', 'serve Prometheus /metrics and /healthz here')
    .option('--user <name:password>', 'a user with full rights, kept in memory (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--snapshot-every <duration>', 'take a snapshot this often (e.g. 15m) when something changed')
    .option('--password-file <file>', 'read the archive password from a file')
    .action(async (dir: string | undefined, flags: ServeFlags) => {
      const { runServer } = await import('../serve/run-server.ts');
      const server = await runServer(dir, flags);
      for (const f of server.frontends) process.stderr.write(`${f.name}: ${f.urls.join(' ')}\n`);
    });
}
