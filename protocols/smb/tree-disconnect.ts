// TREE_DISCONNECT: forgets the tree and closes every open made through it.
import { BODY, sessionOf, treeOf, type Call } from './call.ts';
import { releaseOpen } from './close.ts';
import type { Reply } from './state.ts';

/** Handles TREE_DISCONNECT. */
export async function treeDisconnect(call: Call): Promise<Reply> {
  const s = sessionOf(call);
  const tree = treeOf(call);
  call.r.u16(BODY);
  s.trees.delete(tree.id);
  for (const o of [...call.conn.opens.values()]) if (o.sessionId === s.id && o.treeId === tree.id) await releaseOpen(call.conn, o);
  return { body: Buffer.from([4, 0, 0, 0]) };
}
