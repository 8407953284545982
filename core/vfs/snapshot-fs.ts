// Read-only views of snapshots: /.snapshots/<name>/… resolved through tree objects, with a small cache.
import { blake3 } from '@napi-rs/blake-hash';
import type { Archive } from '../archive.ts';
import { VfsError } from '../errors.ts';
import type { Inode } from '../meta/inode.ts';
import { decodeChunks } from '../meta/inode.ts';
import { chunkOffsets, joinParts, readRangeParts } from '../files/content.ts';
import { ReadAhead } from '../files/read-ahead.ts';
import { SnapshotCatalog } from '../snapshot/catalog.ts';
import type { SnapshotInfo } from '../snapshot/snapshot-record.ts';
import { decodeTree, inodeFromEntry, type TreeEntry } from '../snapshot/tree-object.ts';
import { statOf } from './stat.ts';
import type { DirEntry, Stat, VfsFile } from './types.ts';

const TREE_CACHE = 512;

/** A node found inside a snapshot. */
interface SnapNode {
  node: Inode;
  path: string;
}

/** Stable inode numbers for snapshot entries, above every live inode number (which are uint32). */
export function snapshotIno(snapshot: string, path: string): number {
  const h = blake3(`${snapshot}\0${path}`);
  return 2 ** 52 + h.readUIntLE(0, 6);
}

/** Resolves and reads paths inside snapshots. */
export class SnapshotFs {
  private readonly trees = new Map<string, Map<string, TreeEntry>>();

  constructor(private readonly archive: Archive) {}

  /** The cataloged snapshot `name`; ENOENT when there is none. */
  snapshot(name: string, syscall: string): SnapshotInfo {
    const s = new SnapshotCatalog(this.archive.db).get(name);
    if (!s) throw new VfsError('ENOENT', syscall, `/.snapshots/${name}`);
    return s;
  }

  private async entries(tree: Buffer): Promise<Map<string, TreeEntry>> {
    const key = tree.toString('hex');
    let m = this.trees.get(key);
    if (m) {
      this.trees.delete(key);
      this.trees.set(key, m);
      return m;
    }
    m = new Map(decodeTree(await this.archive.store.get(tree)).map((e) => [e.name, e]));
    this.trees.set(key, m);
    if (this.trees.size > TREE_CACHE) this.trees.delete(this.trees.keys().next().value as string);
    return m;
  }

  private rootNode(s: SnapshotInfo): Inode {
    const t = BigInt(Date.parse(s.time)) * 1000000n;
    return { kind: 'dir', mode: 0o555, uid: 0, gid: 0, size: 0, atime: t, mtime: t, ctime: t, btime: t, parent: 0, tree: Buffer.from(s.tree, 'hex') };
  }

  /** Resolves `names` inside snapshot `name`. */
  async resolve(name: string, names: string[], syscall: string): Promise<SnapNode> {
    const s = this.snapshot(name, syscall);
    let node = this.rootNode(s);
    const full = `/.snapshots/${name}/${names.join('/')}`;
    for (const n of names) {
      if (node.kind !== 'dir') throw new VfsError('ENOTDIR', syscall, full);
      const e = (await this.entries(node.tree!)).get(n);
      if (!e) throw new VfsError('ENOENT', syscall, full);
      node = inodeFromEntry(e, 0);
    }
    return { node, path: '/' + names.join('/') };
  }

  /** The Stat of a snapshot entry. */
  async stat(name: string, names: string[]): Promise<Stat> {
    const { node, path } = await this.resolve(name, names, 'stat');
    return statOf(snapshotIno(name, path), node, true);
  }

  /** A directory listing inside a snapshot. */
  async readdir(name: string, names: string[], after?: string, limit?: number): Promise<DirEntry[]> {
    const { node, path } = await this.resolve(name, names, 'readdir');
    if (node.kind !== 'dir') throw new VfsError('ENOTDIR', 'readdir', `/.snapshots/${name}${path}`);
    const out: DirEntry[] = [];
    for (const e of (await this.entries(node.tree!)).values()) {
      if (after !== undefined && Buffer.compare(Buffer.from(e.name), Buffer.from(after)) <= 0) continue;
      const childPath = path === '/' ? `/${e.name}` : `${path}/${e.name}`;
      out.push({ name: e.name, stat: statOf(snapshotIno(name, childPath), inodeFromEntry(e, 0), true) });
      if (limit !== undefined && out.length >= limit) break;
    }
    return out;
  }

  /** Opens a snapshot file for reading. */
  async open(name: string, names: string[]): Promise<VfsFile> {
    const { node, path } = await this.resolve(name, names, 'open');
    if (node.kind === 'dir') throw new VfsError('EISDIR', 'open', `/.snapshots/${name}${path}`);
    if (node.kind === 'symlink') throw new VfsError('ELOOP', 'open', `/.snapshots/${name}${path}`);
    return new SnapshotFile(this.archive, `/.snapshots/${name}${path}`, snapshotIno(name, path), node);
  }
}

/** A read-only handle on a file inside a snapshot. */
class SnapshotFile implements VfsFile {
  private readonly refs;
  private readonly offsets;
  private closed = false;
  private readonly readAhead: ReadAhead;

  constructor(private readonly archive: Archive, readonly path: string, readonly ino: number, private readonly node: Inode) {
    this.readAhead = new ReadAhead(archive.store);
    this.refs = decodeChunks(node.chunks);
    this.offsets = chunkOffsets(this.refs);
  }

  private check(): void {
    if (this.closed) throw new VfsError('EBADF', 'read', this.path);
  }

  async read(offset: number, length: number): Promise<Buffer> {
    this.check();
    return joinParts(await this.readParts(offset, length));
  }

  async readParts(offset: number, length: number): Promise<Buffer[]> {
    this.check();
    const parts = readRangeParts(this.archive.store, this.refs, this.offsets, offset, length);
    this.readAhead.noteRead(this.refs, this.offsets, offset, length, parts);
    return parts;
  }

  async write(): Promise<number> {
    throw new VfsError('EROFS', 'write', this.path);
  }

  async truncate(): Promise<void> {
    throw new VfsError('EROFS', 'truncate', this.path);
  }

  async stat(): Promise<Stat> {
    this.check();
    return statOf(this.ino, this.node, true);
  }

  async flush(): Promise<void> {}

  async fsync(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }
}
