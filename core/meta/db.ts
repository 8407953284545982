// The LMDB environment under meta/: every named database and its key/value encoding (docs/FORMAT.md §Metadata).
import { open, type Database, type RootDatabase } from 'lmdb';

/** Handles on every named database of one archive's metadata environment. */
export interface MetaDb {
  env: RootDatabase;
  /** blob id (32 bytes) → 30-byte location: pack id, offset, lengths, type, compression */
  blobs: Database<Buffer, Buffer>;
  /** pack id (16 bytes) → { sealed, length, blobs, writer } */
  packs: Database<PackRecord, Buffer>;
  /** inode number → inode record */
  inodes: Database<unknown, number>;
  /** [parent inode, name] → child inode number */
  dirents: Database<number, [number, string]>;
  /** snapshot name → snapshot record */
  snapshots: Database<unknown, string>;
  /** small named values: nextIno, … */
  state: Database<unknown, string>;
  /** user name → user record (password hashes, home, rights) */
  users: Database<unknown, string>;
}

/** What the index knows of one pack file. */
export interface PackRecord {
  sealed: boolean;
  /** Bytes of the pack file that committed metadata may reference (an unsealed pack is cut here on recovery). */
  length: number;
  blobs: number;
  /** Process id of the writer that appends to it while unsealed. */
  writer: number;
}

/** Opens (creating if needed) the metadata environment at `path`. */
export function openMetaDb(path: string, readOnly = false): MetaDb {
  const env = open({ path, compression: false, readOnly, maxDbs: 16 });
  const bin = { keyEncoding: 'binary' as const };
  return {
    env,
    blobs: env.openDB<Buffer, Buffer>({ name: 'blobs', ...bin, encoding: 'binary' }),
    packs: env.openDB<PackRecord, Buffer>({ name: 'packs', ...bin }),
    inodes: env.openDB<unknown, number>({ name: 'inodes', keyEncoding: 'uint32' }),
    dirents: env.openDB<number, [number, string]>({ name: 'dirents', keyEncoding: 'ordered-binary' }),
    snapshots: env.openDB<unknown, string>({ name: 'snapshots' }),
    state: env.openDB<unknown, string>({ name: 'state' }),
    users: env.openDB<unknown, string>({ name: 'users' }),
  };
}
