// CHANGE_NOTIFY ([MS-SMB2] 3.3.5.19): answered at once with the changes already buffered on the directory's
// watch, else pended (interim STATUS_PENDING) until a change made through this server arrives, the
// directory is closed (STATUS_NOTIFY_CLEANUP) or the request is cancelled (STATUS_CANCELLED).
import { BODY, openAt, type Call } from './call.ts';
import { errorBody } from './header.ts';
import { NtStatusError, Status } from './ntstatus.ts';
import type { Reply } from './state.ts';
import { waitOn } from './watch.ts';
import { WireError } from './wire.ts';

/** Most CHANGE_NOTIFY requests one connection may have pending. */
const MAX_PENDING = 256;
const WATCH_TREE = 0x1;
/** What Windows answers for a request that would go async in the middle of a compound ([MS-SMB2] <159>). */
const INTERNAL_ERROR = 0xc00000e5;

/** Handles CHANGE_NOTIFY. */
export async function changeNotify(call: Call): Promise<Reply> {
  const { r, conn, req } = call;
  if (r.u16(BODY) !== 32) throw new WireError('CHANGE_NOTIFY StructureSize');
  const flags = r.u16(BODY + 2);
  const maxOutput = r.u32(BODY + 4);
  const filter = r.u32(BODY + 24);
  const open = openAt(call, BODY + 8);
  if (!open.isDir) throw new NtStatusError(Status.INVALID_PARAMETER, 'not a directory');
  if (maxOutput > conn.config.maxIo) throw new NtStatusError(Status.INVALID_PARAMETER, 'OutputBufferLength too large');
  const watch = conn.config.watchers.watchOf(open, filter, (flags & WATCH_TREE) !== 0);
  const ready = conn.config.watchers.take(watch, maxOutput);
  if (ready) return ready;
  if (req.header.nextCommand) throw new NtStatusError(INTERNAL_ERROR, 'CHANGE_NOTIFY would go async inside a compound');
  if (conn.pending.size >= MAX_PENDING) throw new NtStatusError(Status.INSUFFICIENT_RESOURCES);
  const asyncId = conn.newId();
  waitOn(watch, asyncId, maxOutput);
  conn.pending.set(asyncId, { asyncId, messageId: req.header.messageId, command: req.header.command, sessionId: open.sessionId, treeId: open.treeId, openId: open.id, encrypted: req.encrypted });
  return { status: Status.PENDING, asyncId, body: errorBody() };
}
