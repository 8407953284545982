// A read-only walk over a tree (the live tree now, snapshot trees later), for export, ls and verify.
import { VfsError } from '../errors.ts';
import type { LiveTree } from '../meta/live-tree.ts';
import type { Inode } from '../meta/inode.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { decodeTree, inodeFromEntry } from '../snapshot/tree-object.ts';
import { splitPath } from '../vfs/path.ts';

/** One entry met during a walk: its name and inode-like metadata. */
export interface EntryView {
  name: string;
  node: Inode;
  /** Opaque handle to list a directory's children: an inode number or a tree id. */
  ref: number | Buffer;
}

/** Read access to a tree of entries. */
export interface TreeReader {
  /** The entry at `path` (`/` is the root, named ''). */
  lookup(path: string): Promise<EntryView>;
  /** A directory's entries in name order. */
  list(dir: EntryView): AsyncIterable<EntryView>;
}

/** Reads the live tree. */
export function liveTreeReader(tree: LiveTree): TreeReader {
  return {
    async lookup(path) {
      const { ino, node } = tree.resolve(path, 'lookup');
      const names = path.split('/').filter((n) => n && n !== '.');
      return { name: names[names.length - 1] ?? '', node, ref: ino };
    },
    async *list(dir) {
      if (dir.node.kind !== 'dir') throw new VfsError('ENOTDIR', 'readdir', dir.name);
      let after: string | undefined;
      for (;;) {
        const page = tree.list(dir.ref as number, after, 1000);
        for (const { name, ino } of page) {
          const node = tree.get(ino);
          if (node) yield { name, node, ref: ino };
        }
        if (page.length < 1000) return;
        after = page[page.length - 1]!.name;
      }
    },
  };
}

/** Reads a snapshot's tree objects from the store, starting at root tree `root`. */
export function snapshotTreeReader(store: ObjectStore, root: Buffer): TreeReader {
  const rootNode: Inode = { kind: 'dir', mode: 0o555, uid: 0, gid: 0, size: 0, atime: 0n, mtime: 0n, ctime: 0n, btime: 0n, parent: 0, tree: root };
  const entries = async (tree: Buffer) => decodeTree(await store.get(tree));
  return {
    async lookup(path) {
      let cur: EntryView = { name: '', node: rootNode, ref: root };
      for (const name of splitPath(path, 'lookup')) {
        if (cur.node.kind !== 'dir') throw new VfsError('ENOTDIR', 'lookup', path);
        const e = (await entries(cur.ref as Buffer)).find((x) => x.name === name);
        if (!e) throw new VfsError('ENOENT', 'lookup', path);
        cur = { name, node: inodeFromEntry(e, 0), ref: e.subtree ?? Buffer.alloc(0) };
      }
      return cur;
    },
    async *list(dir) {
      if (dir.node.kind !== 'dir') throw new VfsError('ENOTDIR', 'readdir', dir.name);
      for (const e of await entries(dir.ref as Buffer)) yield { name: e.name, node: inodeFromEntry(e, 0), ref: e.subtree ?? Buffer.alloc(0) };
    },
  };
}
