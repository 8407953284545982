// Preparing the data connection and the restart marker: PASV, EPSV, PORT, EPRT, REST, ABOR.
import { lookup } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import { plainAddress } from '../data-channel.ts';
import type { Session } from '../session.ts';
import { FtpFail, required, type CommandTable } from './types.ts';

/** The IPv4 address PASV announces: pasvUrl, else the listen host, else the control connection's local address. */
async function announcedAddress(s: Session): Promise<string> {
  if (s.opts.pasvUrl) {
    if (isIPv4(s.opts.pasvUrl)) return s.opts.pasvUrl;
    return (await lookup(s.opts.pasvUrl, { family: 4 })).address;
  }
  const host = s.opts.listen.host;
  if (isIPv4(host) && host !== '0.0.0.0') return host;
  const local = plainAddress(s.socket.localAddress);
  if (!isIPv4(local)) throw new FtpFail(522, 'PASV needs IPv4; use EPSV');
  return local;
}

function refuseAfterEpsvAll(s: Session, verb: string): void {
  if (s.epsvAll) throw new FtpFail(503, `${verb} not allowed after EPSV ALL`);
}

async function pasv(s: Session): Promise<void> {
  refuseAfterEpsvAll(s, 'PASV');
  const address = await announcedAddress(s);
  const port = await s.data.passive();
  await s.reply(227, `Entering Passive Mode (${address.split('.').join(',')},${port >> 8},${port & 255})`);
}

async function epsv(s: Session, arg: string): Promise<void> {
  const a = arg.trim().toUpperCase();
  if (a === 'ALL') {
    s.epsvAll = true;
    return s.reply(200, 'EPSV ALL accepted');
  }
  if (a !== '' && a !== '1' && a !== '2') throw new FtpFail(522, 'Network protocol not supported, use (1,2)');
  const port = await s.data.passive();
  await s.reply(229, `Entering Extended Passive Mode (|||${port}|)`);
}

/** Checks an active-mode target: allowed at all, the client's own address, not a privileged port. */
function checkActive(s: Session, host: string, port: number): void {
  if (!s.opts.allowActive) throw new FtpFail(502, 'Active mode (PORT/EPRT) is disabled on this server; use PASV or EPSV');
  refuseAfterEpsvAll(s, 'PORT/EPRT');
  if (!Number.isInteger(port) || port < 1024 || port > 65535) throw new FtpFail(504, 'Port must be between 1024 and 65535');
  if (plainAddress(host) !== s.remote) throw new FtpFail(504, 'Data connections go only to your own address');
}

async function port(s: Session, arg: string): Promise<void> {
  if (!s.opts.allowActive) throw new FtpFail(502, 'Active mode (PORT/EPRT) is disabled on this server; use PASV or EPSV');
  const parts = required(arg, 'h1,h2,h3,h4,p1,p2').trim().split(',').map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  if (parts.length !== 6 || parts.some((n) => !(n >= 0 && n <= 255))) throw new FtpFail(501, 'Syntax error in PORT argument');
  const host = parts.slice(0, 4).join('.');
  const p = parts[4]! * 256 + parts[5]!;
  checkActive(s, host, p);
  s.data.active(host, p);
  await s.reply(200, 'PORT command successful');
}

async function eprt(s: Session, arg: string): Promise<void> {
  if (!s.opts.allowActive) throw new FtpFail(502, 'Active mode (PORT/EPRT) is disabled on this server; use PASV or EPSV');
  const a = required(arg, '|proto|address|port|').trim();
  const d = a[0];
  const fields = d ? a.split(d) : [];
  if (fields.length !== 5 || !/^[12]$/.test(fields[1]!) || !/^\d{1,5}$/.test(fields[3]!)) throw new FtpFail(501, 'Syntax error in EPRT argument');
  const p = Number(fields[3]);
  checkActive(s, fields[2]!, p);
  s.data.active(fields[2]!, p);
  await s.reply(200, 'EPRT command successful');
}

async function rest(s: Session, arg: string): Promise<void> {
  const a = required(arg, 'an offset').trim();
  if (!/^\d{1,15}$/.test(a)) throw new FtpFail(501, 'REST needs a byte offset');
  s.restOffset = Number(a);
  await s.reply(350, `Restarting at ${s.restOffset}; send STOR or RETR`);
}

async function abor(s: Session): Promise<void> {
  // A transfer in progress is aborted out of band by the session; here nothing is running.
  s.data.reset();
  await s.reply(225, 'No transfer to abort');
}

/** Data-connection setup commands. */
export const DATA_SETUP_COMMANDS: CommandTable = {
  PASV: { run: pasv, login: true, op: 'read', syntax: '' },
  EPSV: { run: epsv, login: true, op: 'read', syntax: '[1|2|ALL]' },
  PORT: { run: port, login: true, op: 'read', syntax: 'h1,h2,h3,h4,p1,p2' },
  EPRT: { run: eprt, login: true, op: 'read', syntax: '|1|address|port|' },
  REST: { run: rest, login: true, op: 'read', syntax: '<offset>' },
  ABOR: { run: abor, login: true, op: 'read', syntax: '' },
};
