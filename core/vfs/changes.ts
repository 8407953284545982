// The change feed: the live Vfs publishes one VfsChange after each successful mutation, whatever frontend made
// it, so every other frontend can react (SMB CHANGE_NOTIFY and lease breaks). Listeners run synchronously
// and may not fail the mutation; publishing costs nothing while nobody listens. A Vfs view can carry an
// origin tag that its changes are stamped with, so a frontend recognises its own changes.
import type { Vfs, VfsChange, VfsChangeListener } from './types.ts';

export type { VfsChange, VfsChangeListener } from './types.ts';

/** The listeners of one Vfs and the publishing of its changes. */
export class ChangeFeed {
  private readonly listeners = new Set<VfsChangeListener>();

  /** @param onError told about a listener that threw (the change still reaches the other listeners). */
  constructor(private readonly onError: (err: unknown, change: VfsChange) => void = () => undefined) {}

  /** True when someone listens: callers skip building changes otherwise. */
  get active(): boolean {
    return this.listeners.size > 0;
  }

  /** Adds a listener; returns the function that removes it (idempotent). */
  watch(listener: VfsChangeListener): () => void {
    const own = (change: VfsChange) => listener(change);
    this.listeners.add(own);
    return () => {
      this.listeners.delete(own);
    };
  }

  /** Hands `change` to every listener; a listener's exception goes to `onError`, never to the caller. */
  publish(change: VfsChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch (err) {
        this.onError(err, change);
      }
    }
  }
}

/** A Vfs that can give out a view of itself whose changes carry an origin tag. */
export interface OriginTagging {
  /** The same Vfs (same state, same listeners) with its changes stamped `origin`. */
  withOrigin(origin: string): Vfs;
}

function canTag(vfs: Vfs): vfs is Vfs & OriginTagging {
  return typeof (vfs as Partial<OriginTagging>).withOrigin === 'function';
}

/** `vfs` with its changes stamped `origin` (`vfs` itself when it cannot tag them). */
export function withOrigin(vfs: Vfs, origin: string): Vfs {
  return canTag(vfs) ? vfs.withOrigin(origin) : vfs;
}
