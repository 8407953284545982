// The snapshot catalog in LMDB: name → snapshot info, and the head of the parent chain.
import type { MetaDb } from '../meta/db.ts';
import type { SnapshotInfo } from './snapshot-record.ts';

/** The id of the newest snapshot record (the next snapshot's parent), or null. */
export function headSnapshotId(db: MetaDb): string | null {
  return (db.state.get('headSnapshot') as string | undefined) ?? null;
}

/** Lists, finds, adds and removes cataloged snapshots. Mutators run inside a write transaction. */
export class SnapshotCatalog {
  constructor(private readonly db: MetaDb) {}

  /** The snapshot called `name`, or undefined. */
  get(name: string): SnapshotInfo | undefined {
    return this.db.snapshots.get(name) as SnapshotInfo | undefined;
  }

  /** Every snapshot, oldest first. */
  list(): SnapshotInfo[] {
    const all = [...this.db.snapshots.getRange({})].map((e) => e.value as SnapshotInfo);
    return all.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.name < b.name ? -1 : 1));
  }

  /** `base`, or `base-2`, `base-3`… whichever is free. */
  freeName(base: string): string {
    if (!this.get(base)) return base;
    for (let i = 2; ; i++) if (!this.get(`${base}-${i}`)) return `${base}-${i}`;
  }

  /** Catalogs a new snapshot and makes it the chain head (write transaction). */
  add(info: SnapshotInfo): void {
    this.db.snapshots.put(info.name, info);
    this.db.state.put('headSnapshot', info.id);
  }

  /** Removes a snapshot from the catalog (write transaction); its record blob stays for the audit chain. */
  remove(name: string): void {
    this.db.snapshots.remove(name);
  }
}
