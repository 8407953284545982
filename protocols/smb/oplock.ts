// Oplocks and leases ([MS-SMB2] 3.3.5.9.8/3.3.5.9.11 grants, 3.3.4.6/3.3.4.7 breaks): what a new open is
// granted, which breaks another open's caching needs, the unsolicited break notifications, and their acks
// (or the break timeout) that let a waiting CREATE go on.
import { encryptMessage } from './crypto.ts';
import { Command, encodeResponse } from './header.ts';
import type { VfsChange } from '../../core/vfs/types.ts';
import { liveFileKey, type FileEntry, type OpenTable } from './open-table.ts';
import type { Open } from './state.ts';
import { Writer } from './wire.ts';

/** OplockLevel values. */
export const Oplock = { NONE: 0, LEVEL_II: 1, EXCLUSIVE: 8, BATCH: 9, LEASE: 0xff } as const;
/** Lease state bits. */
export const LeaseState = { R: 1, H: 2, W: 4 } as const;

const ALL_ONES = 0xffffffffffffffffn;
const ACK_REQUIRED = 1;

/** A break in progress: the state it breaks to, and a promise settled by the ack, a close or the timeout. */
export interface Break {
  to: number;
  settled: Promise<void>;
  settle(): void;
}

/** A lease: one client's caching state of one file, shared by its opens with the same lease key. */
export interface Lease {
  id: string;
  key: Buffer;
  fileKey: string;
  state: number;
  epoch: number;
  version: 1 | 2;
  parentKey: Buffer | null;
  breaking: Break | null;
  opens: Set<Open>;
}

/** A lease requested in a CREATE (RqLs context). */
export interface LeaseRequest {
  key: Buffer;
  state: number;
  version: 1 | 2;
  epoch: number;
  parentKey: Buffer | null;
}

/** Parses an RqLs create context (v1: 32 bytes, v2: 52 bytes, only with SMB 3.x); null when malformed. */
export function parseLeaseRequest(data: Buffer, allowV2: boolean): LeaseRequest | null {
  if (data.length < 32) return null;
  const v2 = allowV2 && data.length >= 52;
  const flags = data.readUInt32LE(20);
  return {
    key: Buffer.from(data.subarray(0, 16)),
    state: data.readUInt32LE(16) & 7,
    version: v2 ? 2 : 1,
    epoch: v2 ? data.readUInt16LE(48) : 0,
    parentKey: v2 && flags & 4 ? Buffer.from(data.subarray(32, 48)) : null,
  };
}

/** The RqLs response context of a lease. */
export function leaseResponse(lease: Lease): Buffer {
  const w = new Writer().bytes(lease.key).u32(lease.state).u32((lease.breaking ? 2 : 0) | (lease.parentKey ? 4 : 0)).u64(0n);
  if (lease.version === 2) w.bytes(lease.parentKey ?? Buffer.alloc(16)).u16(lease.epoch & 0xffff).u16(0);
  return Buffer.from(w.done());
}

/** A valid lease state: R, RH, RW or RWH (anything without R is none). */
const validState = (s: number): number => (s & LeaseState.R ? s & 7 : 0);

/** What a CREATE asks for and does, as the break logic needs it. */
export interface OpenIntent {
  /** The lease id (client GUID + key) of the new open, if it asks for a lease. */
  leaseId: string | null;
  /** SUPERSEDE/OVERWRITE/OVERWRITE_IF of an existing file. */
  overwrite: boolean;
  /** The open asks only for attributes or the security descriptor (a "stat open": it breaks nothing). */
  statOpen: boolean;
}

/** Rights a stat open may ask for: read/write attributes, SYNCHRONIZE. */
const STAT_RIGHTS = 0x80 | 0x100 | 0x100000;

/** Whether granted rights make a stat open (no data access; it neither breaks nor gets an oplock). */
export const isStatOpen = (granted: number): boolean => (granted & ~STAT_RIGHTS) === 0;

/** Server-wide oplock and lease state. */
export class Oplocks {
  private readonly leases = new Map<string, Lease>();
  private readonly breaks = new Set<Break>();

  /** @param timeoutMs how long a break waits for its ack ([MS-SMB2]: 35 s). */
  constructor(readonly timeoutMs: number) {}

  /** The lease with this id. */
  lease(id: string): Lease | undefined {
    return this.leases.get(id);
  }

  /**
   * Starts the breaks a new open of `entry` needs and returns the promises to wait for before it proceeds
   * ([MS-FSA] 2.1.5.1.2.1). When its sharing conflicts with `sharingConflicts`, only the caching that lets
   * those holders close their handles breaks (batch oplocks, H of leases); otherwise batch and exclusive
   * oplocks break to level II, leases lose W, and an overwrite breaks read caching too.
   */
  breaksFor(entry: FileEntry | undefined, intent: OpenIntent, sharingConflicts: Open[]): Promise<void>[] {
    const waits: Promise<void>[] = [];
    if (!entry || (intent.statOpen && !intent.overwrite)) return waits;
    const violation = sharingConflicts.length > 0;
    const seen = new Set<Lease>();
    for (const o of entry.opens) {
      if (o.lease) {
        const l = o.lease;
        if (l.id === intent.leaseId || seen.has(l)) continue;
        seen.add(l);
        if (l.breaking) {
          waits.push(l.breaking.settled);
          continue;
        }
        let to = l.state;
        if (violation) {
          if (sharingConflicts.some((c) => c.lease === l)) to &= ~LeaseState.H;
        } else {
          to &= ~LeaseState.W;
          if (intent.overwrite) to &= ~LeaseState.R;
        }
        const w = this.breakLease(l, validState(to));
        if (w) waits.push(w);
      } else if (o.oplockBreak) {
        waits.push(o.oplockBreak.settled);
      } else if (o.oplock === Oplock.BATCH || (o.oplock === Oplock.EXCLUSIVE && !violation)) {
        waits.push(this.breakOplock(o, intent.overwrite ? Oplock.NONE : Oplock.LEVEL_II)!);
      } else if (o.oplock === Oplock.LEVEL_II && intent.overwrite && !violation) {
        this.breakOplock(o, Oplock.NONE);
      }
    }
    return waits;
  }

  /**
   * Breaks read caching after a write or truncate through `writer` (null: another frontend) without waiting;
   * level II breaks the writer's own too ([MS-FSA] 2.1.4.12).
   */
  breakForWrite(entry: FileEntry | undefined, writer: Open | null): void {
    if (!entry) return;
    for (const o of entry.opens) {
      if (o === writer && o.oplock !== Oplock.LEVEL_II) continue;
      if (o.lease) {
        if (o.lease !== writer?.lease && o.lease.state & LeaseState.R && !o.lease.breaking) this.breakLease(o.lease, 0);
      } else if (o.oplock !== Oplock.NONE && !o.oplockBreak) {
        this.breakOplock(o, Oplock.NONE);
      }
    }
  }

  /** Breaks other opens' handle caching before a rename or delete through `actor` (null: after one by another frontend), without waiting. */
  breakHandles(entry: FileEntry | undefined, actor: Open | null): void {
    if (!entry) return;
    for (const o of entry.opens) {
      if (o === actor) continue;
      if (o.lease && o.lease !== actor?.lease && o.lease.state & LeaseState.H && !o.lease.breaking) this.breakLease(o.lease, validState(o.lease.state & ~LeaseState.H));
      else if (!o.lease && o.oplock === Oplock.BATCH && !o.oplockBreak) this.breakOplock(o, Oplock.LEVEL_II);
    }
  }

  /**
   * Breaks the caching of this server's opens that a change made by another frontend invalidates: read caching
   * (to none) when the file's content changed, handle caching when it was renamed, replaced or deleted.
   */
  vfsChanged(opens: OpenTable, c: VfsChange): void {
    if (c.ino === undefined) return;
    const entry = opens.entry(liveFileKey(c.ino));
    if (c.content) this.breakForWrite(entry, null);
    if (c.action === 'removed' || c.action === 'renamed') this.breakHandles(entry, null);
    if (c.replacedIno !== undefined) this.breakHandles(opens.entry(liveFileKey(c.replacedIno)), null);
  }

  /** Grants the new open its oplock or lease, given the other opens of the file (after the breaks). */
  grant(open: Open, entry: FileEntry, requested: number, req: LeaseRequest | null, leaseId: string | null, overwrite: boolean): void {
    const others = [...entry.opens].filter((o) => o !== open && !(leaseId && o.lease?.id === leaseId));
    const sharers = others.filter((o) => !isStatOpen(o.granted));
    const oplockHeld = others.some((o) => !o.lease && o.oplock !== Oplock.NONE);
    /** Whether a lease state can be held beside the other opens: W needs no other data opens, H no other oplocks. */
    const holdable = (s: number) => !(s & LeaseState.W && sharers.length) && !(s & LeaseState.H && oplockHeld);
    if (requested === Oplock.LEASE && req && leaseId && !open.isDir) {
      const want = validState(req.state);
      let lease = this.leases.get(leaseId);
      if (!lease) {
        let state = want;
        if (sharers.length) state &= ~LeaseState.W;
        if (oplockHeld) state &= LeaseState.R;
        lease = { id: leaseId, key: req.key, fileKey: open.fileKey!, state, epoch: req.version === 2 ? req.epoch + 1 : 0, version: req.version, parentKey: req.parentKey, breaking: null, opens: new Set() };
        if (state) this.leases.set(leaseId, lease);
      } else if (!lease.breaking && (want & lease.state) === lease.state && want !== lease.state && holdable(want)) {
        lease.state = want;
        if (lease.version === 2) lease.epoch++;
      }
      lease.opens.add(open);
      open.lease = lease;
      open.oplock = Oplock.LEASE;
      return;
    }
    if (requested === Oplock.LEASE || open.isDir || requested === Oplock.NONE) {
      open.oplock = Oplock.NONE;
      return;
    }
    if (isStatOpen(open.granted) && !overwrite && others.length) {
      open.oplock = Oplock.NONE;
      return;
    }
    const exclusiveHeld = others.some((o) => o.oplock === Oplock.BATCH || o.oplock === Oplock.EXCLUSIVE || (o.lease && o.lease.state & (LeaseState.W | LeaseState.H)));
    if (exclusiveHeld) open.oplock = Oplock.NONE;
    else if (others.length) open.oplock = Oplock.LEVEL_II;
    else open.oplock = requested === Oplock.BATCH || requested === Oplock.EXCLUSIVE ? requested : Oplock.LEVEL_II;
  }

  /** Forgets a closed open: settles its break, and drops its lease when it was the lease's last open. */
  closed(open: Open): void {
    open.oplockBreak?.settle();
    const lease = open.lease;
    if (!lease) return;
    lease.opens.delete(open);
    if (lease.opens.size) return;
    lease.breaking?.settle();
    if (this.leases.get(lease.id) === lease) this.leases.delete(lease.id);
  }

  /** Settles every break at once (server shutdown). */
  shutdown(): void {
    for (const b of [...this.breaks]) b.settle();
  }

  /** Applies an oplock break acknowledgment; returns the level now held. */
  ackOplock(open: Open, level: number): number {
    const b = open.oplockBreak!;
    open.oplock = Math.min(level, b.to);
    open.oplockBreak = null;
    b.settle();
    return open.oplock;
  }

  /** Applies a lease break acknowledgment. */
  ackLease(lease: Lease, state: number): void {
    const b = lease.breaking!;
    lease.state = state;
    lease.breaking = null;
    b.settle();
  }

  private newBreak(to: number, onTimeout: () => void): Break {
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const timer = setTimeout(() => {
      onTimeout();
      b.settle();
    }, this.timeoutMs);
    timer.unref();
    const b: Break = {
      to,
      settled,
      settle: () => {
        clearTimeout(timer);
        this.breaks.delete(b);
        settle();
      },
    };
    this.breaks.add(b);
    return b;
  }

  /** Sends an oplock break to `to`; returns the promise to wait for (undefined when no ack is expected). */
  private breakOplock(o: Open, to: number): Promise<void> | undefined {
    const from = o.oplock;
    send(o, null, Buffer.from(new Writer().u16(24).u8(to).u8(0).u32(0).u64(o.id).u64(o.id).done()));
    if (from === Oplock.LEVEL_II) {
      o.oplock = to;
      return undefined;
    }
    const b = this.newBreak(to, () => {
      if (o.oplockBreak === b) {
        o.oplock = Oplock.NONE;
        o.oplockBreak = null;
      }
    });
    o.oplockBreak = b;
    return b.settled;
  }

  /** Sends a lease break to `to`; returns the promise to wait for (undefined when no ack is required). */
  private breakLease(l: Lease, to: number): Promise<void> | undefined {
    if (to === l.state) return undefined;
    const ackRequired = (l.state & (LeaseState.W | LeaseState.H)) !== 0;
    if (l.version === 2) l.epoch++;
    const holder = [...l.opens].pop();
    if (holder) {
      const body = new Writer().u16(44).u16(l.version === 2 ? l.epoch & 0xffff : 0).u32(ackRequired ? ACK_REQUIRED : 0).bytes(l.key).u32(l.state).u32(to).u32(0).u32(0).u32(0);
      send(holder, l, Buffer.from(body.done()));
    }
    if (!ackRequired) {
      l.state = to;
      return undefined;
    }
    const b = this.newBreak(to, () => {
      if (l.breaking === b) {
        l.state = to;
        l.breaking = null;
      }
    });
    l.breaking = b;
    return b.settled;
  }
}

/**
 * Sends an unsolicited OPLOCK_BREAK notification on the connection of `o`: never signed (MessageId all ones
 * cannot be), encrypted when the open's session or share is; lease breaks carry no session.
 */
function send(o: Open, lease: Lease | null, body: Buffer): void {
  const conn = o.conn;
  const session = conn.sessions.get(o.sessionId);
  const encrypt = Boolean(session?.keys && (session.encrypt || session.trees.get(o.treeId)?.encrypt));
  const msg = encodeResponse(
    { status: 0, command: Command.OPLOCK_BREAK, credits: 0, flags: 0, messageId: ALL_ONES, treeId: lease ? 0 : o.treeId, sessionId: lease ? 0n : o.sessionId, creditCharge: 0 },
    body,
  );
  conn.send(...(encrypt && session?.keys ? encryptMessage(conn.cipher, session.keys.serverOut, session.id, msg, conn.nonce()) : [msg]));
}
