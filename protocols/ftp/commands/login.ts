// Sign-in and security: USER, PASS, AUTH TLS, PBSZ, PROT.
import type { Session } from '../session.ts';
import { FtpFail, required, type CommandTable } from './types.ts';

const ANONYMOUS_NAMES = new Set(['anonymous', 'ftp']);
/** Wrong passwords on one connection before it is closed. */
const MAX_FAILED_LOGINS = 3;

async function user(s: Session, arg: string): Promise<void> {
  const name = required(arg, 'a user name').trim();
  if (s.user) throw new FtpFail(503, 'Already signed in');
  if (s.opts.requireTls && !s.secure) throw new FtpFail(530, 'TLS required: send AUTH TLS first');
  s.pendingUser = name;
  if (s.opts.anonymous && ANONYMOUS_NAMES.has(name.toLowerCase())) await s.reply(331, 'Anonymous sign-in: any password (your e-mail address) will do');
  else await s.reply(331, `Password required for ${name}`);
}

async function pass(s: Session, arg: string): Promise<void> {
  if (s.user) throw new FtpFail(503, 'Already signed in');
  const name = s.pendingUser;
  if (name === null || s.previousVerb !== 'USER') throw new FtpFail(503, 'Send USER first');
  s.pendingUser = null;
  const anon = s.opts.anonymous;
  if (anon && ANONYMOUS_NAMES.has(name.toLowerCase())) {
    s.signIn(anon);
    s.log.info({ user: anon.name }, 'anonymous sign-in (read-only)');
    await s.reply(230, 'Anonymous access granted, read-only');
    return;
  }
  const found = await s.shared.ctx.auth.authenticate(name, arg, s.remote, 'ftp');
  if (!found) {
    s.failedLogins++;
    await new Promise((r) => setTimeout(r, s.opts.failedLoginDelayMs));
    if (s.failedLogins >= MAX_FAILED_LOGINS) {
      await s.shutdown(421, 'Too many failed sign-ins: closing control connection');
      return;
    }
    throw new FtpFail(530, 'Login incorrect');
  }
  s.signIn(found);
  await s.reply(230, `User ${found.name} signed in${found.readOnly ? ' (read-only)' : ''}`);
}

async function auth(s: Session, arg: string): Promise<void> {
  const mech = required(arg, 'a mechanism').trim().toUpperCase();
  const ctx = s.shared.tlsContext;
  if (!ctx) throw new FtpFail(502, 'TLS is not configured on this server');
  if (mech !== 'TLS' && mech !== 'TLS-C' && mech !== 'SSL') throw new FtpFail(504, `AUTH ${mech} not supported; use AUTH TLS`);
  if (s.secure) throw new FtpFail(503, 'Already under TLS');
  await s.reply(234, 'AUTH TLS successful, start the TLS handshake');
  s.upgradeToTls(ctx);
}

async function pbsz(s: Session, arg: string): Promise<void> {
  if (!s.secure) throw new FtpFail(503, 'PBSZ needs a TLS control connection (AUTH TLS)');
  required(arg, 'a buffer size');
  s.pbszDone = true;
  await s.reply(200, 'PBSZ=0');
}

async function prot(s: Session, arg: string): Promise<void> {
  if (!s.secure) throw new FtpFail(503, 'PROT needs a TLS control connection (AUTH TLS)');
  if (!s.pbszDone) throw new FtpFail(503, 'Send PBSZ 0 before PROT');
  const level = required(arg, 'a protection level').trim().toUpperCase();
  if (level === 'C') s.protectData = false;
  else if (level === 'P') s.protectData = true;
  else if (level === 'S' || level === 'E') throw new FtpFail(536, `PROT ${level} not supported; use C or P`);
  else throw new FtpFail(504, `Unknown protection level ${level}`);
  await s.reply(200, `Protection level set to ${level}`);
}

/** Sign-in and TLS commands; all allowed before sign-in. */
export const LOGIN_COMMANDS: CommandTable = {
  USER: { run: user, login: false, op: 'read', syntax: '<name>' },
  PASS: { run: pass, login: false, op: 'read', syntax: '<password>' },
  AUTH: { run: auth, login: false, op: 'read', syntax: 'TLS' },
  PBSZ: { run: pbsz, login: false, op: 'read', syntax: '0' },
  PROT: { run: prot, login: false, op: 'read', syntax: 'C|P' },
};
