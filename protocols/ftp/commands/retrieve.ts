// Downloads: RETR, from the REST offset when one was given, read ahead one piece while the last is sent.
import { partsLength, releaseParts } from '../../../core/files/content.ts';
import type { Session } from '../session.ts';
import { finishSending, sendChunk } from '../transfer.ts';
import { FtpFail, required, type CommandTable } from './types.ts';

/** Bytes read from the Vfs per piece. */
const PIECE = 1024 * 1024;

async function retr(s: Session, arg: string): Promise<void> {
  const t = s.beginTransfer();
  try {
    const path = s.path(required(arg, 'a file name'));
    const file = await s.fs.open(path);
    try {
      const size = (await file.stat()).size;
      let offset = s.restOffset;
      if (offset > size) throw new FtpFail(554, `Restart offset ${offset} is beyond the end of the file (${size} bytes)`);
      // A piece is read while the one before is sent, the first while the data connection opens; a
      // failed read is handled where it is awaited, not reported as unhandled while it waits.
      const read = (at: number) => {
        const parts = file.readParts(at, Math.min(PIECE, size - at));
        parts.catch(() => {});
        return parts;
      };
      let next = offset < size ? read(offset) : null;
      await s.connectData(t, `Opening ${s.protectData ? 'TLS ' : ''}BINARY data connection for ${path} (${size - offset} bytes)`);
      while (next) {
        const parts = await next;
        const got = partsLength(parts);
        offset += got;
        next = got > 0 && offset < size ? read(offset) : null;
        if (got === 0) break;
        // The pieces are the store's, lent until the socket has written them.
        for (const [i, p] of parts.entries()) await sendChunk(t, p, i === parts.length - 1 ? () => releaseParts(parts) : undefined);
      }
      await finishSending(t);
    } finally {
      await file.close();
    }
    await s.reply(226, 'Transfer complete');
  } finally {
    s.endTransfer(t);
  }
}

/** Download commands. */
export const RETRIEVE_COMMANDS: CommandTable = {
  RETR: { run: retr, login: true, op: 'transfer-out', syntax: '<path>' },
};
