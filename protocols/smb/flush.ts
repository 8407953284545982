// FLUSH: makes an open file's writes durable and visible to every frontend.
import { BODY, openAt, type Call } from './call.ts';
import type { Reply } from './state.ts';
import { WireError } from './wire.ts';

/** Handles FLUSH. */
export async function flush(call: Call): Promise<Reply> {
  if (call.r.u16(BODY) !== 24) throw new WireError('FLUSH StructureSize');
  const open = openAt(call, BODY + 8);
  await open.file?.fsync();
  return { body: Buffer.from([4, 0, 0, 0]) };
}
