// CLI: `strata user add|passwd|rm|list` — users kept in the archive, with their home and rights.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { UserStore } from '../../core/auth/user-store.ts';
import type { User } from '../../core/auth/user.ts';
import { normalizePath } from '../../core/vfs/path.ts';
import { CliError, output, withArchive, type ArchiveOptions } from '../context.ts';
import { cliPassword } from '../password.ts';

interface UserFlags extends ArchiveOptions {
  userPasswordFile?: string;
  home?: string;
  readOnly?: boolean;
  snapshots?: string;
}

/** The new user's password: --user-password-file, STRATA_USER_PASSWORD, or a prompt. */
async function userPassword(flags: UserFlags): Promise<string> {
  if (flags.userPasswordFile) return readFileSync(flags.userPasswordFile, 'utf8').replace(/\r?\n$/, '');
  if (process.env.STRATA_USER_PASSWORD !== undefined) return process.env.STRATA_USER_PASSWORD;
  const saved = process.env.STRATA_PASSWORD;
  delete process.env.STRATA_PASSWORD;
  try {
    return await cliPassword({}, true)();
  } catch {
    throw new CliError("the user's password comes from --user-password-file, STRATA_USER_PASSWORD or a prompt on a terminal");
  } finally {
    if (saved !== undefined) process.env.STRATA_PASSWORD = saved;
  }
}

function rights(flags: UserFlags, name: string): User {
  const snaps = flags.snapshots ?? 'create';
  if (!['none', 'create', 'manage'].includes(snaps)) throw new CliError(`--snapshots is none, create or manage, not '${snaps}'`);
  return {
    name,
    home: normalizePath(flags.home ?? '/'),
    readOnly: !!flags.readOnly,
    snapshotCreate: snaps !== 'none' && !flags.readOnly,
    snapshotDelete: snaps === 'manage' && !flags.readOnly,
  };
}

/** Registers the user commands. */
export function register(program: Command): void {
  const user = program.command('user').description('manage the users who may sign in to the archive');
  const common = (c: Command) => c.option('--password-file <file>', 'read the archive password from a file');
  common(user.command('add <archive> <name>'))
    .description('add a user (password from --user-password-file, STRATA_USER_PASSWORD or a prompt)')
    .option('--home <path>', 'the folder the user is jailed to', '/')
    .option('--read-only', 'may read but not write')
    .option('--snapshots <right>', 'none, create (mkdir /.snapshots/X) or manage (also delete)', 'create')
    .option('--user-password-file <file>', "read the user's password from a file")
    .action(async (dir: string, name: string, flags: UserFlags) => {
      await withArchive(dir, flags, async (archive) => {
        await new UserStore(archive).add(rights(flags, name), await userPassword(flags));
        process.stderr.write(`added user ${name}\n`);
      });
    });
  common(user.command('passwd <archive> <name>'))
    .description("change a user's password")
    .option('--user-password-file <file>', "read the user's new password from a file")
    .action(async (dir: string, name: string, flags: UserFlags) => {
      await withArchive(dir, flags, async (archive) => {
        await new UserStore(archive).passwd(name, await userPassword(flags));
        process.stderr.write(`changed the password of ${name}\n`);
      });
    });
  common(user.command('rm <archive> <name>'))
    .description('remove a user')
    .action(async (dir: string, name: string, flags: UserFlags) => {
      await withArchive(dir, flags, async (archive) => {
        await new UserStore(archive).remove(name);
        process.stderr.write(`removed user ${name}\n`);
      });
    });
  common(user.command('list <archive>'))
    .description('list users and their rights')
    .option('--json', 'print as JSON')
    .action(async (dir: string, flags: UserFlags) => {
      await withArchive(dir, flags, async (archive) => {
        const users = new UserStore(archive).list();
        output(flags, users, () => users.map((u) =>
          `${u.name.padEnd(20)} home ${u.home}  ${u.readOnly ? 'read-only' : 'read-write'}  snapshots: ${u.snapshotDelete ? 'manage' : u.snapshotCreate ? 'create' : 'none'}\n`).join(''));
      }, { readOnly: true });
    });
}
