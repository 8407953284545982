// CLOSE: makes what was written durable (VfsFile.close), applies delete-on-close, ends pending notifies.
import { BODY, openAt, type Call } from './call.ts';
import { completeAsync } from './dispatcher.ts';
import { allocation, attributes, writeTimes } from './fscc.ts';
import { errorBody } from './header.ts';
import { Status } from './ntstatus.ts';
import type { Open, Reply } from './state.ts';
import type { Connection } from './transport.ts';
import { baseName, statOrNull } from './vfs-adapter.ts';
import { Writer, WireError } from './wire.ts';

const POSTQUERY_ATTRIB = 1;

/** Forgets an open: completes its pending CHANGE_NOTIFYs, closes its file, deletes it when marked. Rejects with the close error. */
export async function releaseOpen(conn: Connection, open: Open): Promise<void> {
  conn.opens.delete(open.id);
  for (const asyncId of open.notifies) {
    const a = conn.pending.get(asyncId);
    if (a) completeAsync(conn, a, Status.NOTIFY_CLEANUP, errorBody());
  }
  open.notifies.clear();
  if (open.file) conn.config.locks.releaseOwner(open.file.ino, open.id);
  await open.file?.close();
  if (open.deleteOnClose) {
    if (open.isDir) await open.vfs.rmdir(open.path);
    else await open.vfs.unlink(open.path);
  }
}

/** Handles CLOSE. */
export async function close(call: Call): Promise<Reply> {
  const { r } = call;
  if (r.u16(BODY) !== 24) throw new WireError('CLOSE StructureSize');
  const flags = r.u16(BODY + 2);
  const open = openAt(call, BODY + 8);
  await releaseOpen(call.conn, open);
  const w = new Writer().u16(60).u16(flags & POSTQUERY_ATTRIB);
  const st = flags & POSTQUERY_ATTRIB && !open.pipe ? await statOrNull(open.vfs, open.path) : null;
  w.u32(0);
  if (st) {
    writeTimes(w, st);
    w.u64(allocation(st)).u64(st.kind === 'dir' ? 0 : st.size).u32(attributes(baseName(open.path), st));
  } else {
    w.zeros(52);
  }
  return { body: Buffer.from(w.done()) };
}
