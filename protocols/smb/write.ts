// WRITE: data at an offset into an open file (or a request into the srvsvc pipe); breaks other opens' read caching.
import { BODY, openAt, type Call } from './call.ts';
import { NtStatusError, Status } from './ntstatus.ts';
import { changedContent } from './set-info.ts';
import type { Reply } from './state.ts';
import { NotifyFilter } from './watch.ts';
import { Writer, WireError } from './wire.ts';

const APPEND_OFFSET = 0xffffffffffffffffn;
/** Largest file size the server creates (1 TiB): a guard against a client's absurd offsets (holes cost no chunking, but a file that size is a mistake). */
export const MAX_FILE_SIZE = 2 ** 40;

/** Handles WRITE. */
export async function write(call: Call): Promise<Reply> {
  const { r } = call;
  if (r.u16(BODY) !== 49) throw new WireError('WRITE StructureSize');
  const data = r.bytes(r.u16(BODY + 2), r.u32(BODY + 4));
  const rawOffset = r.u64(BODY + 8);
  const open = openAt(call, BODY + 16);
  if (open.pipe) {
    open.pipe.write(Buffer.from(data)); // the request's buffer is reused for the next large frame
  } else {
    if (!open.file || open.isDir) throw new NtStatusError(Status.INVALID_DEVICE_REQUEST, 'write to a directory');
    if (!open.writable) throw new NtStatusError(Status.ACCESS_DENIED, 'file not opened for writing');
    const offset = rawOffset === APPEND_OFFSET ? (await open.file.stat()).size : r.num64(BODY + 8);
    if (offset + data.length > MAX_FILE_SIZE) throw new NtStatusError(Status.DISK_FULL, 'beyond the largest file size');
    await open.file.write(offset, data);
    open.position = offset + data.length;
    changedContent(open, NotifyFilter.SIZE | NotifyFilter.LAST_WRITE);
  }
  return { body: Buffer.from(new Writer().u16(17).u16(0).u32(data.length).u32(0).u16(0).u16(0).done()) };
}
