// Moving around: CWD, CDUP, PWD (and their X… aliases from RFC 775).
import { quotePath } from '../paths.ts';
import type { Session } from '../session.ts';
import { FtpFail, required, type CommandTable } from './types.ts';

async function changeTo(s: Session, path: string): Promise<void> {
  const st = await s.fs.stat(path);
  if (st.kind !== 'dir') throw new FtpFail(550, `Not a directory: ${path}`);
  s.cwd = path;
  await s.reply(250, `Directory changed to ${path}`);
}

async function cwd(s: Session, arg: string): Promise<void> {
  await changeTo(s, s.path(required(arg, 'a directory')));
}

async function cdup(s: Session): Promise<void> {
  await changeTo(s, s.path('..'));
}

async function pwd(s: Session): Promise<void> {
  await s.reply(257, `${quotePath(s.cwd)} is the current directory`);
}

/** Working-directory commands. */
export const NAVIGATE_COMMANDS: CommandTable = {
  CWD: { run: cwd, login: true, op: 'dir', syntax: '<path>' },
  XCWD: { run: cwd, login: true, op: 'dir', syntax: '<path>' },
  CDUP: { run: cdup, login: true, op: 'dir', syntax: '' },
  XCUP: { run: cdup, login: true, op: 'dir', syntax: '' },
  PWD: { run: pwd, login: true, op: 'dir', syntax: '' },
  XPWD: { run: pwd, login: true, op: 'dir', syntax: '' },
};
