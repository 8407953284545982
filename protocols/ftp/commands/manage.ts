// Managing entries: DELE, MKD, RMD, RNFR/RNTO, SIZE, MDTM, MFMT, SITE CHMOD.
import { ftpTime, mtimeMs, parseFtpTime } from '../listing.ts';
import { quotePath } from '../paths.ts';
import type { Session } from '../session.ts';
import { FtpFail, required, type CommandTable } from './types.ts';

async function dele(s: Session, arg: string): Promise<void> {
  const path = s.path(required(arg, 'a file name'));
  await s.fs.unlink(path);
  await s.reply(250, `Deleted ${path}`);
}

async function mkd(s: Session, arg: string): Promise<void> {
  const path = s.path(required(arg, 'a directory name'));
  await s.fs.mkdir(path);
  const snapshot = /^\/\.snapshots\/[^/]+$/.test(path);
  await s.reply(257, `${quotePath(path)} ${snapshot ? 'snapshot taken' : 'created'}`);
}

async function rmd(s: Session, arg: string): Promise<void> {
  const path = s.path(required(arg, 'a directory name'));
  await s.fs.rmdir(path);
  await s.reply(250, `Removed ${path}`);
}

async function rnfr(s: Session, arg: string): Promise<void> {
  const path = s.path(required(arg, 'a path'));
  await s.fs.stat(path);
  s.renameFrom = path;
  await s.reply(350, 'Ready for RNTO');
}

async function rnto(s: Session, arg: string): Promise<void> {
  const from = s.renameFrom;
  s.renameFrom = null;
  if (from === null || s.previousVerb !== 'RNFR') throw new FtpFail(503, 'Bad sequence of commands: send RNFR first');
  const to = s.path(required(arg, 'a path'));
  await s.fs.rename(from, to);
  await s.reply(250, `Renamed ${from} to ${to}`);
}

async function size(s: Session, arg: string): Promise<void> {
  const path = s.path(required(arg, 'a file name'));
  const st = await s.fs.stat(path);
  if (st.kind !== 'file') throw new FtpFail(550, `Not a plain file: ${path}`);
  await s.reply(213, String(st.size));
}

async function mdtm(s: Session, arg: string): Promise<void> {
  const path = s.path(required(arg, 'a file name'));
  const st = await s.fs.stat(path);
  await s.reply(213, ftpTime(mtimeMs(st)));
}

async function mfmt(s: Session, arg: string): Promise<void> {
  const m = /^\s*(\S+)\s+(.+)$/.exec(required(arg, 'a time and a path'));
  const ms = m ? parseFtpTime(m[1]!) : null;
  if (!m || ms === null) throw new FtpFail(501, 'Syntax: MFMT YYYYMMDDHHMMSS[.sss] <path>');
  const path = s.path(m[2]!);
  const st = await s.fs.setattr(path, { mtimeNs: BigInt(ms) * 1_000_000n });
  await s.reply(213, `Modify=${ftpTime(mtimeMs(st))}; ${path}`);
}

async function site(s: Session, arg: string): Promise<void> {
  const sub = required(arg, 'a SITE command').trim().split(/\s+/)[0] ?? '';
  switch (sub.toUpperCase()) {
    case 'CHMOD': {
      const m = /^\s*\S+\s+([0-7]{1,4})\s+(.+)$/.exec(arg);
      if (!m) throw new FtpFail(501, 'Syntax: SITE CHMOD <octal mode> <path>');
      const path = s.path(m[2]!);
      await s.fs.setattr(path, { mode: parseInt(m[1]!, 8) });
      return s.reply(200, `SITE CHMOD ${m[1]} ${path} done`);
    }
    case 'HELP':
      return s.reply(214, 'SITE commands: CHMOD <octal mode> <path>, HELP');
    default:
      throw new FtpFail(504, `SITE ${sub.slice(0, 16)} not supported (SITE HELP lists them)`);
  }
}

/** Entry management commands. */
export const MANAGE_COMMANDS: CommandTable = {
  DELE: { run: dele, login: true, op: 'delete', syntax: '<path>' },
  MKD: { run: mkd, login: true, op: 'dir', syntax: '<path>' },
  XMKD: { run: mkd, login: true, op: 'dir', syntax: '<path>' },
  RMD: { run: rmd, login: true, op: 'delete', syntax: '<path>' },
  XRMD: { run: rmd, login: true, op: 'delete', syntax: '<path>' },
  RNFR: { run: rnfr, login: true, op: 'rename', syntax: '<path>' },
  RNTO: { run: rnto, login: true, op: 'rename', syntax: '<path>' },
  SIZE: { run: size, login: true, op: 'read', syntax: '<path>' },
  MDTM: { run: mdtm, login: true, op: 'read', syntax: '<path>' },
  MFMT: { run: mfmt, login: true, op: 'attr', syntax: 'YYYYMMDDHHMMSS <path>' },
  SITE: { run: site, login: true, op: 'attr', syntax: 'CHMOD <mode> <path> | HELP' },
};
