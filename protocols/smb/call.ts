// What a command handler receives, and helpers every handler shares: FileId lookup and encoding.
import { NtStatusError, Status } from './ntstatus.ts';
import type { Connection } from './transport.ts';
import type { Open, Reply, Request, Session, Tree } from './state.ts';
import { Reader, Writer } from './wire.ts';

/** One request being handled: its connection, session and tree (resolved by the dispatcher). */
export interface Call {
  conn: Connection;
  req: Request;
  r: Reader;
  session: Session | null;
  tree: Tree | null;
  /** The FileId a previous CREATE in a related compound produced. */
  relatedFileId: bigint | null;
}

/** A command handler. */
export type Handler = (call: Call) => Promise<Reply>;

/** The session a handler needs (the dispatcher guarantees it for commands that require one). */
export function sessionOf(call: Call): Session {
  if (!call.session || !call.session.vfs) throw new NtStatusError(Status.USER_SESSION_DELETED);
  return call.session;
}

/** The tree a handler needs. */
export function treeOf(call: Call): Tree {
  if (!call.tree) throw new NtStatusError(Status.NETWORK_NAME_DELETED);
  return call.tree;
}

const ALL_ONES = 0xffffffffffffffffn;

/** The open named by the 16-byte FileId at `off` (the related one when it is all ones). */
export function openAt(call: Call, off: number): Open {
  const persistent = call.r.u64(off);
  const volatile = call.r.u64(off + 8);
  let id = volatile;
  if (persistent === ALL_ONES && volatile === ALL_ONES) {
    if (call.relatedFileId === null) throw new NtStatusError(Status.INVALID_PARAMETER, 'related FileId without a previous CREATE');
    id = call.relatedFileId;
  }
  const open = call.conn.opens.get(id);
  if (!open || open.sessionId !== call.session?.id || (call.tree && open.treeId !== call.tree.id)) throw new NtStatusError(Status.FILE_CLOSED);
  return open;
}

/** Appends a FileId (persistent and volatile parts are the same id). */
export function writeFileId(w: Writer, id: bigint): Writer {
  return w.u64(id).u64(id);
}

/** The request body starts here (after the 64-byte header). */
export const BODY = 64;
