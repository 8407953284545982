// CHANGE_NOTIFY: answered with an interim STATUS_PENDING and completed when the directory is closed
// (STATUS_NOTIFY_CLEANUP) or the request is cancelled (STATUS_CANCELLED). Changes themselves are not reported.
import { BODY, openAt, type Call } from './call.ts';
import { errorBody } from './header.ts';
import { NtStatusError, Status } from './ntstatus.ts';
import type { Reply } from './state.ts';
import { WireError } from './wire.ts';

/** Most CHANGE_NOTIFY requests one connection may have pending. */
const MAX_PENDING = 256;

/** Handles CHANGE_NOTIFY. */
export async function changeNotify(call: Call): Promise<Reply> {
  const { r, conn, req } = call;
  if (r.u16(BODY) !== 32) throw new WireError('CHANGE_NOTIFY StructureSize');
  const open = openAt(call, BODY + 8);
  if (!open.isDir) throw new NtStatusError(Status.INVALID_PARAMETER, 'not a directory');
  if (conn.pending.size >= MAX_PENDING) throw new NtStatusError(Status.INSUFFICIENT_RESOURCES);
  const asyncId = conn.newId();
  conn.pending.set(asyncId, { asyncId, messageId: req.header.messageId, command: req.header.command, sessionId: open.sessionId, treeId: open.treeId, openId: open.id, encrypted: req.encrypted });
  open.notifies.add(asyncId);
  return { status: Status.PENDING, asyncId, body: errorBody() };
}
