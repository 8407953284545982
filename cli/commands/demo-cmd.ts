// CLI: `strata demo` (what `npm start` runs) — creates or opens ./archive and serves it on loopback
// with every frontend this build has, printing how to connect and the generated credentials.
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ServeFlags } from '../serve/run-server.ts';

/** The banner: one copy-paste line per way to connect. */
function banner(dir: string, user: string, password: string, flags: ServeFlags): string {
  const lines = [`strata demo — archive ${dir}`, `user: ${user}   password: ${password}`, ''];
  if (flags.webdav) lines.push(`WebDAV:  curl -u ${user}:${password} http://${flags.webdav}/      rclone lsd :webdav,url=http://${flags.webdav}/,user=${user},pass=$(rclone obscure ${password}):`);
  if (flags.ftp) lines.push(`FTP:     lftp -u ${user},${password} -p ${flags.ftp.split(':')[1]} 127.0.0.1      curl -u ${user}:${password} ftp://${flags.ftp}/`);
  if (flags.smb) lines.push(`SMB:     smbclient //127.0.0.1/share -p ${flags.smb.split(':')[1]} -U ${user}%${password} -m SMB3_11`);
  if (flags.mount) lines.push(`FUSE:    ls ${flags.mount}`);
  lines.push('', 'Snapshots: mkdir /.snapshots/NAME through any of them; every version is under /.snapshots/. Ctrl-C stops.');
  return lines.join('\n') + '\n';
}

function fuseUsable(): boolean {
  try {
    accessSync('/dev/fuse', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Registers demo. */
export function register(program: Command): void {
  program
    .command('demo')
    .description('create or open ./archive and serve it on loopback with every frontend (what npm start runs)')
    .option('--archive <dir>', 'archive directory', 'archive')
    .action(async (opts: { archive: string }) => {
      process.env.STRATA_LOG_LEVEL ??= 'warn';
      const { frontendAvailable, runServer } = await import('../serve/run-server.ts');
      const dir = resolve(opts.archive);
      if (!existsSync(`${dir}/config.json`)) await (await import('../../core/archive.ts')).Archive.init(dir);
      const password = randomBytes(9).toString('base64url');
      const flags: ServeFlags = { user: [`demo:${password}`], snapshotEvery: '15m' };
      if (frontendAvailable('webdav')) flags.webdav = '127.0.0.1:8080';
      if (frontendAvailable('ftp')) flags.ftp = '127.0.0.1:2121';
      if (frontendAvailable('smb')) flags.smb = '127.0.0.1:4445';
      if (frontendAvailable('mount') && fuseUsable()) {
        flags.mount = resolve('mnt');
        mkdirSync(flags.mount, { recursive: true });
      }
      await runServer(dir, flags);
      process.stdout.write(banner(dir, 'demo', password, flags));
    });
}
