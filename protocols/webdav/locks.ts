// The lock manager: exclusive and shared write locks (RFC 4918 §6–7), depth 0 and infinity, with
// timeouts, held in memory and, with a LockStore, written down at each change so they survive a
// restart. Paths here are absolute archive paths (user home + share path), so users whose homes
// overlap see one another's locks.
import { randomUUID } from 'node:crypto';
import type { LockStore } from './lock-file.ts';
import { isWithin } from './paths.ts';

/** Lock scope. */
export type LockScope = 'exclusive' | 'shared';
/** Lock depth. */
export type LockDepth = 0 | 'infinity';

/** One active lock. */
export interface Lock {
  token: string;
  /** Absolute archive path of the lock root. */
  root: string;
  depth: LockDepth;
  scope: LockScope;
  /** The client's DAV:owner element (serialised XML) or ''. */
  owner: string;
  /** The user who took it. */
  principal: string;
  timeoutSec: number;
  expiresAt: number;
}

/** What a request asks to lock: a lock before it has a token and an expiry. */
export type LockRequest = Omit<Lock, 'token' | 'expiresAt'>;

/** Holds every active lock; expired ones are dropped lazily. */
export class LockManager {
  private readonly locks = new Map<string, Lock>();

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly store: LockStore | null = null,
  ) {
    for (const l of store?.load() ?? []) this.locks.set(l.token, l);
    this.sweep();
  }

  private sweep(): void {
    const now = this.clock();
    for (const [t, l] of this.locks) if (l.expiresAt <= now) this.locks.delete(t);
  }

  /** Writes the locks down (after a change). */
  private changed(): void {
    if (!this.store) return;
    this.sweep();
    this.store.save([...this.locks.values()]);
  }

  /** The lock with `token`, if active. */
  get(token: string): Lock | undefined {
    this.sweep();
    return this.locks.get(token);
  }

  /** Locks whose scope includes `path`: rooted there, or at an ancestor with depth infinity. */
  covering(path: string): Lock[] {
    this.sweep();
    const out: Lock[] = [];
    for (const l of this.locks.values()) {
      if (l.root === path || (l.depth === 'infinity' && isWithin(path, l.root))) out.push(l);
    }
    return out;
  }

  /** Locks rooted strictly below `path`. */
  below(path: string): Lock[] {
    this.sweep();
    const out: Lock[] = [];
    for (const l of this.locks.values()) if (l.root !== path && isWithin(l.root, path)) out.push(l);
    return out;
  }

  /** Locks rooted exactly at `path` (a depth-0 lock on a collection guards its membership). */
  rootedAt(path: string): Lock[] {
    this.sweep();
    return [...this.locks.values()].filter((l) => l.root === path);
  }

  /** The locks that stop `req` from being granted (empty when it can be). */
  conflicts(req: LockRequest): Lock[] {
    const near = [...this.covering(req.root), ...(req.depth === 'infinity' ? this.below(req.root) : [])];
    return near.filter((l) => l.scope === 'exclusive' || req.scope === 'exclusive');
  }

  /** Grants a lock (the caller checked `conflicts`). */
  create(req: LockRequest): Lock {
    const lock: Lock = { ...req, token: `opaquelocktoken:${randomUUID()}`, expiresAt: this.clock() + req.timeoutSec * 1000 };
    this.locks.set(lock.token, lock);
    this.changed();
    return lock;
  }

  /** Restarts a lock's timeout. */
  refresh(lock: Lock, timeoutSec: number): Lock {
    lock.timeoutSec = timeoutSec;
    lock.expiresAt = this.clock() + timeoutSec * 1000;
    this.changed();
    return lock;
  }

  /** Removes one lock. */
  remove(token: string): boolean {
    const removed = this.locks.delete(token);
    if (removed) this.changed();
    return removed;
  }

  /** Removes every lock rooted at or below `path` (after DELETE, or at a MOVE source). */
  removeTree(path: string): void {
    let removed = false;
    for (const [t, l] of this.locks) {
      if (!isWithin(l.root, path)) continue;
      this.locks.delete(t);
      removed = true;
    }
    if (removed) this.changed();
  }
}
