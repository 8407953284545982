// Session and server information, and transfer parameters: SYST, FEAT, OPTS, HELP, STAT, NOOP, QUIT, TYPE, MODE, STRU, ALLO.
import { ALL_FACTS, listLine, type Fact } from '../listing.ts';
import type { Session } from '../session.ts';
import { COMMANDS } from './index.ts';
import { FtpFail, required, type CommandTable } from './types.ts';

async function syst(s: Session): Promise<void> {
  await s.reply(215, 'UNIX Type: L8');
}

async function feat(s: Session): Promise<void> {
  const facts = ALL_FACTS.map((f) => `${f}${s.facts.has(f) ? '*' : ''};`).join('');
  const lines = [
    ...(s.shared.tlsContext ? ['AUTH TLS', 'PBSZ', 'PROT'] : []),
    'EPSV', ...(s.opts.allowActive ? ['EPRT'] : []), 'PASV', 'MDTM', 'MFMT', 'SIZE', 'REST STREAM', `MLST ${facts}`, 'UTF8', 'TVFS', 'SITE CHMOD',
  ];
  await s.reply(211, 'Features:', lines, 'End');
}

async function opts(s: Session, arg: string): Promise<void> {
  const [name = '', ...rest] = required(arg, 'an option').trim().split(/\s+/);
  const value = rest.join(' ');
  switch (name.toUpperCase()) {
    case 'UTF8':
    case 'UTF-8':
      if (value !== '' && value.toUpperCase() !== 'ON') throw new FtpFail(504, 'Only UTF8 ON is supported: names are always UTF-8');
      return s.reply(200, 'UTF8 mode always on');
    case 'MLST': {
      const wanted = value.split(';').map((f) => f.trim().toLowerCase()).filter(Boolean);
      s.facts = new Set(ALL_FACTS.filter((f) => wanted.includes(f)) as Fact[]);
      return s.reply(200, `MLST OPTS ${[...s.facts].map((f) => `${f};`).join('')}`);
    }
    default:
      throw new FtpFail(501, `Unknown option ${name.slice(0, 32)}`);
  }
}

async function help(s: Session, arg: string): Promise<void> {
  const verb = arg.trim().toUpperCase();
  if (verb) {
    const spec = COMMANDS[verb];
    if (!spec) throw new FtpFail(502, `Unknown command ${verb.slice(0, 16)}`);
    return s.reply(214, `Syntax: ${verb} ${spec.syntax}`.trimEnd());
  }
  const verbs = Object.keys(COMMANDS).sort();
  const rows: string[] = [];
  for (let i = 0; i < verbs.length; i += 8) rows.push(verbs.slice(i, i + 8).map((v) => v.padEnd(6)).join(' '));
  await s.reply(214, 'The following commands are recognized:', rows, 'Help OK');
}

async function stat(s: Session, arg: string): Promise<void> {
  if (arg.trim() === '') {
    const lines = [
      `Connected from ${s.remote}`,
      s.user ? `Signed in as ${s.user.name}${s.user.readOnly ? ' (read-only)' : ''}` : 'Not signed in',
      `TYPE: ${s.type === 'I' ? 'BINARY' : 'ASCII'}, STRUcture: File, MODE: Stream`,
      `Control connection ${s.secure ? 'under TLS' : 'plain'}; data ${s.protectData ? 'under TLS' : 'plain'}`,
      s.transfer ? 'A transfer is in progress' : 'No data connection',
    ];
    return s.reply(211, 'strata FTP server status:', lines, 'End of status');
  }
  if (!s.user) throw new FtpFail(530, 'Please sign in with USER and PASS');
  const path = s.path(arg.trim());
  const st = await s.fs.stat(path);
  const now = Date.now();
  const lines = st.kind === 'dir' ? (await s.fs.readdir(path, { limit: 10_000 })).map((e) => listLine(e.name, e.stat, now)) : [listLine(path, st, now)];
  await s.reply(213, `Status of ${path}:`, lines, 'End of status');
}

async function noop(s: Session): Promise<void> {
  await s.reply(200, 'NOOP ok');
}

async function quit(s: Session): Promise<void> {
  await s.shutdown(221, 'Goodbye');
}

async function type(s: Session, arg: string): Promise<void> {
  const t = required(arg, 'a type').trim().toUpperCase().replace(/\s+/g, ' ');
  if (t === 'I' || t === 'L 8') s.type = 'I';
  else if (t === 'A' || t === 'A N') s.type = 'A';
  else throw new FtpFail(504, `TYPE ${t.slice(0, 8)} not supported; use A or I`);
  await s.reply(200, `Type set to ${s.type}`);
}

async function mode(s: Session, arg: string): Promise<void> {
  if (required(arg, 'a mode').trim().toUpperCase() !== 'S') throw new FtpFail(504, 'Only stream mode (S) is supported');
  await s.reply(200, 'Mode set to S');
}

async function stru(s: Session, arg: string): Promise<void> {
  if (required(arg, 'a structure').trim().toUpperCase() !== 'F') throw new FtpFail(504, 'Only file structure (F) is supported');
  await s.reply(200, 'Structure set to F');
}

async function allo(s: Session): Promise<void> {
  await s.reply(202, 'No storage allocation necessary');
}

/** Information and transfer-parameter commands. */
export const INFO_COMMANDS: CommandTable = {
  SYST: { run: syst, login: false, op: 'read', syntax: '' },
  FEAT: { run: feat, login: false, op: 'read', syntax: '' },
  OPTS: { run: opts, login: false, op: 'read', syntax: 'UTF8 ON | MLST <facts>' },
  HELP: { run: help, login: false, op: 'read', syntax: '[<command>]' },
  STAT: { run: stat, login: false, op: 'read', syntax: '[<path>]' },
  NOOP: { run: noop, login: false, op: 'read', syntax: '' },
  QUIT: { run: quit, login: false, op: 'read', syntax: '' },
  TYPE: { run: type, login: true, op: 'read', syntax: 'A|I' },
  MODE: { run: mode, login: true, op: 'read', syntax: 'S' },
  STRU: { run: stru, login: true, op: 'read', syntax: 'F' },
  ALLO: { run: allo, login: true, op: 'read', syntax: '<size>' },
};
