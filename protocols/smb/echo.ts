// ECHO: a keep-alive that answers with an empty body.
import type { Call } from './call.ts';
import type { Reply } from './state.ts';

/** Handles ECHO. */
export async function echo(_call: Call): Promise<Reply> {
  return { body: Buffer.from([4, 0, 0, 0]) };
}
