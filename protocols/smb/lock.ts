// LOCK ([MS-SMB2] 3.3.5.14): advisory byte-range locks shared by every connection; a conflict fails at once
// (LOCK_NOT_GRANTED), blocking locks are not queued.
import { BODY, openAt, type Call } from './call.ts';
import { NtStatusError, Status } from './ntstatus.ts';
import type { Reply } from './state.ts';
import { WireError } from './wire.ts';

const Flag = { SHARED: 1, EXCLUSIVE: 2, UNLOCK: 4 } as const;

interface Range {
  owner: bigint;
  offset: bigint;
  length: bigint;
  exclusive: boolean;
}

/** Byte-range locks by file (inode), across all connections. */
export class ByteRangeLocks {
  private readonly byFile = new Map<number, Range[]>();

  private overlaps(a: Range, b: Range): boolean {
    return a.length > 0n && b.length > 0n && a.offset < b.offset + b.length && b.offset < a.offset + a.length;
  }

  /** Takes a lock; false when it conflicts with another owner's. */
  lock(ino: number, r: Range): boolean {
    const list = this.byFile.get(ino) ?? [];
    if (list.some((o) => o.owner !== r.owner && (o.exclusive || r.exclusive) && this.overlaps(o, r))) return false;
    list.push(r);
    this.byFile.set(ino, list);
    return true;
  }

  /** Releases exactly this range of this owner; false when it was not locked. */
  unlock(ino: number, owner: bigint, offset: bigint, length: bigint): boolean {
    const list = this.byFile.get(ino) ?? [];
    const i = list.findIndex((o) => o.owner === owner && o.offset === offset && o.length === length);
    if (i < 0) return false;
    list.splice(i, 1);
    if (!list.length) this.byFile.delete(ino);
    return true;
  }

  /** Releases every lock an open holds (on close). */
  releaseOwner(ino: number, owner: bigint): void {
    const list = (this.byFile.get(ino) ?? []).filter((o) => o.owner !== owner);
    if (list.length) this.byFile.set(ino, list);
    else this.byFile.delete(ino);
  }
}

/** Handles LOCK. */
export async function lock(call: Call): Promise<Reply> {
  const { r, conn } = call;
  if (r.u16(BODY) !== 48) throw new WireError('LOCK StructureSize');
  const count = r.u16(BODY + 2);
  if (count === 0 || count > 64) throw new NtStatusError(Status.INVALID_PARAMETER, 'LockCount');
  const open = openAt(call, BODY + 8);
  if (!open.file) throw new NtStatusError(Status.INVALID_PARAMETER, 'lock on a directory');
  const ino = open.file.ino;
  const taken: Range[] = [];
  for (let i = 0; i < count; i++) {
    const at = BODY + 24 + i * 24;
    const offset = r.u64(at);
    const length = r.u64(at + 8);
    const flags = r.u32(at + 16);
    if (flags & Flag.UNLOCK) {
      if (!conn.config.locks.unlock(ino, open.id, offset, length)) throw new NtStatusError(Status.RANGE_NOT_LOCKED);
      continue;
    }
    if (offset + length > 0xffffffffffffffffn) throw new NtStatusError(Status.INVALID_PARAMETER, 'lock range wraps');
    const range = { owner: open.id, offset, length, exclusive: (flags & Flag.EXCLUSIVE) !== 0 };
    if (!conn.config.locks.lock(ino, range)) {
      for (const t of taken) conn.config.locks.unlock(ino, t.owner, t.offset, t.length);
      throw new NtStatusError(Status.LOCK_NOT_GRANTED);
    }
    taken.push(range);
  }
  return { body: Buffer.from([4, 0, 0, 0]) };
}
