// CLI: `strata mount <archive> <mountpoint>` — serve the archive as a FUSE filesystem in the foreground
// until Ctrl-C or SIGTERM, then unmount, flush and close cleanly.
import type { Command } from 'commander';
import { pino } from 'pino';
import { Archive } from '../../core/archive.ts';
import { createVfs } from '../../core/vfs/vfs.ts';
import { DEFAULT_STAT_CACHE_SECONDS, mountVfs } from '../../mount/index.ts';
import { cliPassword } from '../password.ts';

/** Options of `strata mount`. */
interface MountFlags {
  passwordFile?: string;
  allowOther?: boolean;
  cacheSeconds: number;
  statCacheSeconds: number;
  debug?: boolean;
}

/** Mounts the archive and waits for SIGINT/SIGTERM. */
async function runMount(dir: string, mountpoint: string, flags: MountFlags): Promise<void> {
  const log = pino({ level: process.env.STRATA_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const archive = await Archive.open(dir, { password: cliPassword(flags) });
  const vfs = createVfs(archive);
  let mounted;
  try {
    const options = { mountpoint, allowOther: flags.allowOther, cacheSeconds: flags.cacheSeconds, statCacheSeconds: flags.statCacheSeconds, debug: flags.debug };
    mounted = await mountVfs(vfs, options, log, { watchOtherProcesses: (onChange) => archive.watchOtherProcesses(onChange) });
  } catch (err) {
    await archive.close();
    throw err;
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'unmounting');
    let code = 0;
    try {
      await mounted.unmount();
      await vfs.flushAll();
    } catch (err) {
      log.error({ err }, 'flush at unmount failed');
      code = 1;
    }
    await archive.close();
    process.exit(code);
  };
  (await import('../../core/server/crash-guard.ts')).installCrashGuard(log);
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.stdout.write(`mounted ${dir} at ${mounted.mountpoint}\n`);
}

/** Registers mount. */
export function register(program: Command): void {
  program
    .command('mount <archive> <mountpoint>')
    .description('mount the archive as a filesystem (FUSE) until Ctrl-C or SIGTERM')
    .option('--password-file <file>', 'read the archive password from a file')
    .option('--allow-other', 'let other users use the mount (needs user_allow_other in /etc/fuse.conf unless root)')
    .option('--cache-seconds <s>', 'how long the kernel may cache attributes and names, 0-1', (v) => Number(v), 1)
    .option('--stat-cache-seconds <s>', "how long the mount keeps a closed file's attributes (changes through this process drop them at once; while another process has the archive open it keeps none); 0: off", (v) => Number(v), DEFAULT_STAT_CACHE_SECONDS)
    .option('--debug', 'print libfuse debug output')
    .action(async (dir: string, mountpoint: string, flags: MountFlags) => {
      await runMount(dir, mountpoint, flags);
    });
}
