// Tree objects: the canonical encoding of one directory's entries, content-addressed in packs.
import { decodeChunks, encodeChunks, type Inode, type InodeKind } from '../meta/inode.ts';

/** One directory entry as a tree object records it. */
export interface TreeEntry {
  name: string;
  kind: InodeKind;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  atime: bigint;
  mtime: bigint;
  ctime: bigint;
  btime: bigint;
  /** Files: chunk list in stored form. */
  chunks?: Buffer;
  /** Directories: id of the child tree object. */
  subtree?: Buffer;
  target?: string;
  xattrs?: Record<string, Buffer>;
}

/** Orders names by their UTF-8 bytes, the canonical order of entries. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The tree entry for an inode named `name` (directories need their subtree id). */
export function entryFromInode(name: string, node: Inode, subtree?: Buffer): TreeEntry {
  const e: TreeEntry = {
    name, kind: node.kind, mode: node.mode, uid: node.uid, gid: node.gid, size: node.size,
    atime: node.atime, mtime: node.mtime, ctime: node.ctime, btime: node.btime,
  };
  if (node.kind === 'file') e.chunks = node.chunks ?? Buffer.alloc(0);
  if (node.kind === 'dir') e.subtree = subtree;
  if (node.kind === 'symlink') e.target = node.target ?? '';
  if (node.xattrs && Object.keys(node.xattrs).length > 0) e.xattrs = node.xattrs;
  return e;
}

/**
 * Encodes entries canonically: UTF-8 JSON, no white space, keys in the fixed order below, entries
 * sorted by name bytes, times as decimal nanosecond strings, ids as lower-case hex, chunks as
 * "id:length", xattr names sorted and values base64. The same directory always gives the same bytes.
 */
export function encodeTree(entries: TreeEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => compareNames(a.name, b.name));
  const out = sorted.map((e) => {
    const o: Record<string, unknown> = {
      name: e.name, kind: e.kind, mode: e.mode, uid: e.uid, gid: e.gid, size: e.size,
      atime: e.atime.toString(), mtime: e.mtime.toString(), ctime: e.ctime.toString(), btime: e.btime.toString(),
    };
    if (e.kind === 'file') o.content = decodeChunks(e.chunks).map((c) => `${c.id.toString('hex')}:${c.length}`);
    if (e.kind === 'dir') o.subtree = e.subtree!.toString('hex');
    if (e.kind === 'symlink') o.target = e.target;
    if (e.xattrs) {
      const x: Record<string, string> = {};
      for (const k of Object.keys(e.xattrs).sort(compareNames)) x[k] = e.xattrs[k]!.toString('base64');
      o.xattrs = x;
    }
    return o;
  });
  return Buffer.from(JSON.stringify({ v: 1, entries: out }));
}

/** Decodes a tree object; throws on anything that is not a version-1 tree. */
export function decodeTree(bytes: Buffer): TreeEntry[] {
  const doc = JSON.parse(bytes.toString('utf8')) as { v: number; entries: Array<Record<string, unknown>> };
  if (doc.v !== 1 || !Array.isArray(doc.entries)) throw new Error('not a version 1 tree object');
  return doc.entries.map((o) => {
    const e: TreeEntry = {
      name: o.name as string, kind: o.kind as InodeKind, mode: o.mode as number, uid: o.uid as number, gid: o.gid as number,
      size: o.size as number, atime: BigInt(o.atime as string), mtime: BigInt(o.mtime as string),
      ctime: BigInt(o.ctime as string), btime: BigInt(o.btime as string),
    };
    if (e.kind === 'file') {
      e.chunks = encodeChunks((o.content as string[]).map((s) => {
        const [id, len] = s.split(':');
        return { id: Buffer.from(id!, 'hex'), length: Number(len) };
      }));
    }
    if (e.kind === 'dir') e.subtree = Buffer.from(o.subtree as string, 'hex');
    if (e.kind === 'symlink') e.target = o.target as string;
    if (o.xattrs) {
      e.xattrs = {};
      for (const [k, v] of Object.entries(o.xattrs as Record<string, string>)) e.xattrs[k] = Buffer.from(v, 'base64');
    }
    return e;
  });
}

/** The inode-like view of a tree entry (for reading snapshots through the same code as the live tree). */
export function inodeFromEntry(e: TreeEntry, parent: number): Inode {
  const node: Inode = {
    kind: e.kind, mode: e.mode, uid: e.uid, gid: e.gid, size: e.size,
    atime: e.atime, mtime: e.mtime, ctime: e.ctime, btime: e.btime, parent,
  };
  if (e.chunks) node.chunks = e.chunks;
  if (e.target !== undefined) node.target = e.target;
  if (e.xattrs) node.xattrs = e.xattrs;
  if (e.subtree) node.tree = e.subtree;
  return node;
}
