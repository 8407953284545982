// Snapshot records: the content-addressed root of one version, naming its tree and its parent snapshot.

/** A snapshot as stored (a blob of type Snapshot, canonical JSON) and cataloged in LMDB. */
export interface SnapshotRecord {
  v: 1;
  name: string;
  /** ISO-8601 time the snapshot was taken. */
  time: string;
  /** Hex id of the root tree object. */
  tree: string;
  /** Hex id of the previous snapshot's record, or null for the first. */
  parent: string | null;
}

/** A cataloged snapshot: its record plus its own id (the hash of the encoded record). */
export interface SnapshotInfo extends SnapshotRecord {
  id: string;
}

/** Canonical bytes of a record (fixed key order). */
export function encodeSnapshot(r: SnapshotRecord): Buffer {
  return Buffer.from(JSON.stringify({ v: 1, name: r.name, time: r.time, tree: r.tree, parent: r.parent}));
}

/** Decodes a record; throws when it is not a version 1 snapshot. */
export function decodeSnapshot(b: Buffer): SnapshotRecord {
  const r = JSON.parse(b.toString('utf8')) as SnapshotRecord;
  if (r.v !== 1 || typeof r.name !== 'string' || typeof r.tree !== 'string') throw new Error('not a version 1 snapshot record');
  return r;
}

/** Snapshot names: what may follow `/.snapshots/`. */
export function checkSnapshotName(name: string): string | null {
  if (!/^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}$/.test(name)) return 'snapshot names are 1-128 characters of A-Z a-z 0-9 . _ : @ + - and start with a letter or digit';
  return null;
}
