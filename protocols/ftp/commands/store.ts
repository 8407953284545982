// Uploads: STOR (streamed into the chunker, committed atomically only when complete), STOR after
// REST (writes at the offset, for resume), APPE (appends) and STOU (a new unique name).
import { randomBytes } from 'node:crypto';
import { baseName, parentOf } from '../paths.ts';
import type { Session } from '../session.ts';
import { receiveChunks, TransferAborted, type Transfer } from '../transfer.ts';
import { FtpFail, required, type CommandTable } from './types.ts';

/** Streams the data connection into `path` as one atomic replace; an aborted upload is discarded. */
async function storeWhole(s: Session, t: Transfer, path: string, exclusive: boolean, preliminary: string): Promise<void> {
  // The source is pulled only after writeFile has checked the target, so a bad target gets its
  // error before any 150 and the client never sends a byte.
  const source = (async function* () {
    await s.connectData(t, preliminary);
    const chunks = receiveChunks(t, () => s.closed);
    let ended = false;
    try {
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
      ended = true;
    } finally {
      // The store failed mid-upload (a full disk): read the rest and drop it, so the client finishes
      // sending and then reads the error reply, instead of meeting a reset data connection.
      if (!ended) await drain(chunks);
    }
  })();
  try {
    await s.fs.writeFile(path, source, { exclusive });
  } catch (err) {
    if (t.abortedBy || err instanceof TransferAborted) throw new TransferAborted(`${t.abortedBy ?? (err as Error).message}; upload discarded`);
    throw err;
  }
}

/** Reads and discards what is left of an upload, for at most DRAIN_MS. */
async function drain(chunks: AsyncGenerator<Buffer>): Promise<void> {
  const deadline = Date.now() + DRAIN_MS;
  try {
    while (Date.now() < deadline && !(await chunks.next()).done);
  } catch {
    /* the client went away: nothing left to drain */
  }
  await chunks.return(undefined);
}

const DRAIN_MS = 30_000;

/** Writes the data connection into an open file from `offset` (REST+STOR) or at its end (APPE); what arrived stays. */
async function storeInto(s: Session, t: Transfer, path: string, offset: number, append: boolean): Promise<void> {
  const file = await s.fs.open(path, { write: true, create: true, append });
  try {
    await s.connectData(t, `Ready to ${append ? 'append to' : `write ${path} from offset`} ${append ? path : offset}`);
    let at = offset;
    for await (const chunk of receiveChunks(t, () => s.closed)) at += await file.write(at, chunk);
  } finally {
    await file.close();
  }
}

async function stor(s: Session, arg: string): Promise<void> {
  const t = s.beginTransfer();
  try {
    const path = s.path(required(arg, 'a file name'));
    const offset = s.restOffset;
    if (offset > 0) await storeInto(s, t, path, offset, false);
    else await storeWhole(s, t, path, false, `Ready to receive ${path}`);
    await s.reply(226, `Transfer complete: ${t.bytesIn} bytes stored`);
  } finally {
    s.endTransfer(t);
  }
}

async function appe(s: Session, arg: string): Promise<void> {
  const t = s.beginTransfer();
  try {
    await storeInto(s, t, s.path(required(arg, 'a file name')), 0, true);
    await s.reply(226, `Transfer complete: ${t.bytesIn} bytes appended`);
  } finally {
    s.endTransfer(t);
  }
}

async function stou(s: Session, arg: string): Promise<void> {
  const t = s.beginTransfer();
  try {
    const hint = arg.trim() ? s.path(arg.trim()) : s.path('upload');
    const name = `${baseName(hint) || 'upload'}.${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    const dir = parentOf(hint);
    const path = dir === '/' ? `/${name}` : `${dir}/${name}`;
    if (s.restOffset > 0) throw new FtpFail(503, 'REST does not apply to STOU');
    await storeWhole(s, t, path, true, `FILE: ${name}`);
    await s.reply(226, `Transfer complete (unique file name: ${name})`);
  } finally {
    s.endTransfer(t);
  }
}

/** Upload commands. */
export const STORE_COMMANDS: CommandTable = {
  STOR: { run: stor, login: true, op: 'transfer-in', syntax: '<path>' },
  APPE: { run: appe, login: true, op: 'transfer-in', syntax: '<path>' },
  STOU: { run: stou, login: true, op: 'transfer-in', syntax: '[<name hint>]' },
};
