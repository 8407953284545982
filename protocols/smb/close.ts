// CLOSE: makes what was written durable (VfsFile.close), applies delete-on-close, ends watches and leases.
import { BODY, openAt, type Call } from './call.ts';
import { allocation, attributes, writeTimes } from './fscc.ts';
import type { Open, Reply } from './state.ts';
import type { Connection } from './transport.ts';
import { baseName, statOrNull } from './vfs-adapter.ts';
import { NotifyAction, NotifyFilter } from './watch.ts';
import { Writer, WireError } from './wire.ts';

const POSTQUERY_ATTRIB = 1;

/**
 * Forgets an open: ends its watch and oplock or lease, closes its file, and deletes the file when this was
 * its last open and a delete is pending (delete-on-close or a disposition). Rejects with the close error.
 */
export async function releaseOpen(conn: Connection, open: Open): Promise<void> {
  conn.opens.delete(open.id);
  const { opens, oplocks, watchers } = conn.config;
  watchers.closed(open);
  oplocks.closed(open);
  const deleteNow = open.fileKey ? opens.remove(open) : open.deleteOnClose;
  if (open.file) conn.config.locks.releaseOwner(open.file.ino, open.id);
  await open.file?.close();
  if (deleteNow) {
    if (open.isDir) await open.vfs.rmdir(open.path);
    else await open.vfs.unlink(open.path);
    watchers.changed(open, open.path, NotifyAction.REMOVED, open.isDir ? NotifyFilter.DIR_NAME : NotifyFilter.FILE_NAME);
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
