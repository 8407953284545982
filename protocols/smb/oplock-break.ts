// OPLOCK_BREAK from the client ([MS-SMB2] 3.3.5.22): an oplock break acknowledgment (StructureSize 24) or a
// lease break acknowledgment (36); either settles the break a waiting CREATE may be blocked on.
import { BODY, openAt, writeFileId, type Call } from './call.ts';
import { NtStatusError, Status } from './ntstatus.ts';
import { Oplock } from './oplock.ts';
import type { Reply } from './state.ts';
import { Writer, WireError } from './wire.ts';

const INVALID_OPLOCK_PROTOCOL = 0xc00000e3;

/** Handles an oplock or lease break acknowledgment. */
export async function oplockBreak(call: Call): Promise<Reply> {
  const { r, conn } = call;
  const size = r.u16(BODY);
  const { oplocks } = conn.config;
  if (size === 24) {
    const level = r.u8(BODY + 2);
    const open = openAt(call, BODY + 8);
    if (level === Oplock.LEASE || open.lease) throw new NtStatusError(Status.INVALID_PARAMETER, 'oplock ack for a lease');
    if (!open.oplockBreak) throw new NtStatusError(INVALID_OPLOCK_PROTOCOL, 'no oplock break in progress');
    if (level !== Oplock.NONE && level !== Oplock.LEVEL_II) throw new NtStatusError(INVALID_OPLOCK_PROTOCOL, 'bad acknowledged level');
    if (level > open.oplockBreak.to) {
      oplocks.ackOplock(open, Oplock.NONE);
      throw new NtStatusError(INVALID_OPLOCK_PROTOCOL, 'acknowledged a higher level than broken to');
    }
    const granted = oplocks.ackOplock(open, level);
    return { body: writeFileId(new Writer().u16(24).u8(granted).u8(0).u32(0), open.id).done() };
  }
  if (size === 36) {
    const key = r.bytes(BODY + 8, 16);
    const state = r.u32(BODY + 24);
    const lease = oplocks.lease(conn.clientGuid.toString('hex') + key.toString('hex'));
    if (!lease) throw new NtStatusError(Status.OBJECT_NAME_NOT_FOUND, 'no such lease');
    if (!lease.breaking) throw new NtStatusError(Status.UNSUCCESSFUL, 'no lease break in progress');
    if (state & ~lease.breaking.to) throw new NtStatusError(Status.REQUEST_NOT_ACCEPTED, 'acknowledged a state not broken to');
    oplocks.ackLease(lease, state);
    return { body: Buffer.from(new Writer().u16(36).u16(0).u32(0).bytes(key).u32(state).u64(0n).done()) };
  }
  throw new WireError('OPLOCK_BREAK StructureSize');
}
