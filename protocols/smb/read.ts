// READ: file data at an offset (STATUS_END_OF_FILE at or past the end), or the srvsvc pipe's pending reply.
import { partsLength, releaseParts } from '../../core/files/content.ts';
import { BODY, openAt, type Call } from './call.ts';
import { NtStatusError, Status } from './ntstatus.ts';
import type { Reply } from './state.ts';
import { WireError } from './wire.ts';

/** Handles READ. */
export async function read(call: Call): Promise<Reply> {
  const { r, conn } = call;
  if (r.u16(BODY) !== 49) throw new WireError('READ StructureSize');
  const length = r.u32(BODY + 4);
  const rawOffset = r.u64(BODY + 8);
  const minimum = r.u32(BODY + 32);
  const open = openAt(call, BODY + 16);
  if (length > conn.config.maxIo) throw new NtStatusError(Status.INVALID_PARAMETER, 'read larger than MaxReadSize');
  if (rawOffset > BigInt(Number.MAX_SAFE_INTEGER) && !open.pipe) throw new NtStatusError(Status.END_OF_FILE);
  const offset = Number(rawOffset);
  let data: Buffer[];
  if (open.pipe) data = [open.pipe.read(length)];
  else if (open.isDir || !open.file) throw new NtStatusError(Status.INVALID_DEVICE_REQUEST, 'read of a directory');
  else data = await open.file.readParts(offset, length);
  const got = partsLength(data);
  if ((got === 0 && length > 0) || got < minimum) {
    releaseParts(data);
    throw new NtStatusError(Status.END_OF_FILE);
  }
  open.position = offset + got;
  const head = Buffer.alloc(16);
  head.writeUInt16LE(17, 0);
  head[2] = BODY + 16;
  head.writeUInt32LE(got, 4);
  return { body: head, data, done: () => releaseParts(data) };
}
