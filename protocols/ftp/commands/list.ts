// Directory listings: LIST and NLST (`ls` style, for people and old clients), MLSD and MLST (RFC 3659 facts).
import type { DirEntry, Stat } from '../../../core/vfs/types.ts';
import { factsOf, listLine } from '../listing.ts';
import { baseName } from '../paths.ts';
import type { Session } from '../session.ts';
import { finishSending, sendChunk } from '../transfer.ts';
import { FtpFail, type CommandTable } from './types.ts';

/** Entries read from the Vfs per page, so a huge directory never sits in memory at once. */
const PAGE = 1000;

/** Drops leading `ls` options (`-la`, `-a`) that clients send with LIST and NLST. */
function stripOptions(arg: string): string {
  let a = arg.trim();
  while (/^-[a-zA-Z]+(\s|$)/.test(a)) a = a.replace(/^-[a-zA-Z]+\s*/, '');
  return a;
}

/** The entries of `path`, page by page, the first page being `first` (already asked for). */
async function* entries(s: Session, path: string, first: Promise<DirEntry[]>): AsyncGenerator<DirEntry> {
  for (let page = await first; ; ) {
    yield* page;
    if (page.length < PAGE) return;
    page = await s.fs.readdir(path, { after: page[page.length - 1]!.name, limit: PAGE });
  }
}

async function linkTarget(s: Session, path: string, st: Stat): Promise<string | undefined> {
  return st.kind === 'symlink' ? s.fs.readlink(path).catch(() => '?') : undefined;
}

/** Sends one line per entry of `path` (or the single line of a file) over a data connection. */
async function sendListing(s: Session, arg: string, format: (name: string, st: Stat, full: string) => Promise<string>, dirOnly: boolean): Promise<void> {
  const t = s.beginTransfer();
  try {
    const path = s.path(arg);
    const st = await s.fs.stat(path);
    if (dirOnly && st.kind !== 'dir') throw new FtpFail(501, `Not a directory: ${path}`);
    // The first page is read while the data connection opens (a failure is handled where it is awaited).
    const first = st.kind === 'dir' ? s.fs.readdir(path, { limit: PAGE }) : null;
    first?.catch(() => {});
    await s.connectData(t, `Opening ${s.protectData ? 'TLS ' : ''}data connection for the listing of ${path}`);
    let batch = '';
    const flush = async () => {
      if (batch) await sendChunk(t, Buffer.from(batch));
      batch = '';
    };
    if (first === null) batch = (await format(baseName(path), st, path)) + '\r\n';
    else {
      for await (const e of entries(s, path, first)) {
        batch += (await format(e.name, e.stat, path === '/' ? `/${e.name}` : `${path}/${e.name}`)) + '\r\n';
        if (batch.length > 64 * 1024) await flush();
      }
    }
    await flush();
    await finishSending(t);
    await s.reply(226, 'Listing sent');
  } finally {
    s.endTransfer(t);
  }
}

async function list(s: Session, arg: string): Promise<void> {
  const now = Date.now();
  await sendListing(s, stripOptions(arg), async (name, st, full) => listLine(name, st, now, await linkTarget(s, full, st)), false);
}

async function nlst(s: Session, arg: string): Promise<void> {
  await sendListing(s, stripOptions(arg), async (name) => name, false);
}

async function mlsd(s: Session, arg: string): Promise<void> {
  const user = s.user!;
  await sendListing(s, arg.trim(), async (name, st, full) => `${factsOf(full, st, user, s.facts)} ${name}`, true);
}

async function mlst(s: Session, arg: string): Promise<void> {
  const path = s.path(arg.trim());
  const st = await s.fs.stat(path);
  await s.reply(250, `Listing ${path}`, [`${factsOf(path, st, s.user!, s.facts)} ${path}`], 'End');
}

/** Listing commands. */
export const LIST_COMMANDS: CommandTable = {
  LIST: { run: list, login: true, op: 'read', syntax: '[<path>]' },
  NLST: { run: nlst, login: true, op: 'read', syntax: '[<path>]' },
  MLSD: { run: mlsd, login: true, op: 'read', syntax: '[<path>]' },
  MLST: { run: mlst, login: true, op: 'read', syntax: '[<path>]' },
};
