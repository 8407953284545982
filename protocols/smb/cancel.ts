// CANCEL: ends a pending async request (by AsyncId, or by MessageId for a sync one) with STATUS_CANCELLED; no reply of its own.
import type { Call } from './call.ts';
import { completeAsync } from './dispatcher.ts';
import { errorBody, HeaderFlag } from './header.ts';
import { Status } from './ntstatus.ts';
import type { Reply } from './state.ts';

/** Handles CANCEL (the dispatcher sends no response for it). */
export async function cancel(call: Call): Promise<Reply> {
  const { conn, req } = call;
  const h = req.header;
  const a = h.flags & HeaderFlag.ASYNC_COMMAND ? conn.pending.get(h.asyncId) : [...conn.pending.values()].find((p) => p.messageId === h.messageId);
  if (a && a.sessionId === h.sessionId) {
    const watch = conn.opens.get(a.openId)?.watch;
    if (watch) watch.waiting = watch.waiting.filter((w) => w.asyncId !== a.asyncId);
    completeAsync(conn, a, Status.CANCELLED, errorBody());
  }
  return { body: Buffer.alloc(0) };
}
