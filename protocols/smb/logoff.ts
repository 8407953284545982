// LOGOFF: ends the session and closes everything it opened.
import { sessionOf, type Call } from './call.ts';
import { releaseOpen } from './close.ts';
import type { Reply } from './state.ts';

/** Handles LOGOFF. */
export async function logoff(call: Call): Promise<Reply> {
  const s = sessionOf(call);
  for (const o of [...call.conn.opens.values()]) if (o.sessionId === s.id) await releaseOpen(call.conn, o);
  call.conn.sessions.delete(s.id);
  return { body: Buffer.from([4, 0, 0, 0]) };
}
