// The live tree in LMDB: inodes and directory entries. Mutators must run inside a write transaction.
import { VfsError } from '../errors.ts';
import { splitPath } from '../vfs/path.ts';
import type { MetaDb } from './db.ts';
import { ROOT_INO, type Inode } from './inode.ts';

/** Reads and mutates inodes and directory entries of one archive. */
export class LiveTree {
  constructor(private readonly db: MetaDb) {}

  /** The inode `ino`, or undefined. */
  get(ino: number): Inode | undefined {
    return this.db.inodes.get(ino) as Inode | undefined;
  }

  /** The inode `ino`; throws ENOENT when it is gone. */
  must(ino: number, syscall: string, path?: string): Inode {
    const node = this.get(ino);
    if (!node) throw new VfsError('ENOENT', syscall, path);
    return node;
  }

  /** The child inode number of `parent` called `name`, or undefined. */
  lookup(parent: number, name: string): number | undefined {
    return this.db.dirents.get([parent, name]);
  }

  /** Resolves a path to its inode number and inode, without following symlinks. */
  resolve(path: string | string[], syscall: string): { ino: number; node: Inode } {
    const names = typeof path === 'string' ? splitPath(path, syscall) : path;
    // Directories on the way are not decoded: only a failed lookup needs to know whether it met a file.
    let ino = ROOT_INO;
    for (const name of names) {
      const child = this.lookup(ino, name);
      if (child === undefined) {
        const kind = this.must(ino, syscall, name).kind;
        throw new VfsError(kind === 'dir' ? 'ENOENT' : 'ENOTDIR', syscall, typeof path === 'string' ? path : '/' + names.join('/'));
      }
      ino = child;
    }
    return { ino, node: this.must(ino, syscall, names[names.length - 1] ?? '/') };
  }

  /** Directory entries of `dir` in name order, starting after `after`, at most `limit`. */
  list(dir: number, after?: string, limit?: number): Array<{ name: string; ino: number }> {
    const out: Array<{ name: string; ino: number }> = [];
    const range = this.db.dirents.getRange({ start: after === undefined ? [dir] : [dir, after], end: [dir + 1], limit: after === undefined ? limit : limit === undefined ? undefined : limit + 1 });
    for (const { key, value } of range) {
      if (after !== undefined && key[1] === after) continue;
      out.push({ name: key[1], ino: value });
      if (limit !== undefined && out.length >= limit) break;
    }
    return out;
  }

  /** True when `dir` has no entries. */
  isEmpty(dir: number): boolean {
    for (const _ of this.db.dirents.getKeys({ start: [dir], end: [dir + 1], limit: 1 })) return false;
    return true;
  }

  /** Allocates a fresh inode number (write transaction). */
  allocIno(): number {
    const next = (this.db.state.get('nextIno') as number | undefined) ?? ROOT_INO + 1;
    this.db.state.put('nextIno', next + 1);
    return next;
  }

  /** Writes an inode record (write transaction). */
  put(ino: number, node: Inode): void {
    this.db.inodes.put(ino, node);
  }

  /** Adds `name` → `ino` in `parent` and marks the parent changed (write transaction). */
  link(parent: number, name: string, ino: number): void {
    this.db.dirents.put([parent, name], ino);
    this.touchDir(parent);
  }

  /** Removes `name` from `parent` and marks it changed (write transaction). */
  unlink(parent: number, name: string): void {
    this.db.dirents.remove([parent, name]);
    this.touchDir(parent);
  }

  /** Deletes an inode record (write transaction). */
  drop(ino: number): void {
    this.db.inodes.remove(ino);
  }

  /**
   * Clears the cached tree id of `dir` and its ancestors (write transaction), so the next snapshot
   * re-encodes them. Stops at the first ancestor already cleared: amortised O(1) per change.
   */
  touchDir(dir: number): void {
    let ino = dir;
    for (;;) {
      const node = this.get(ino);
      if (!node || node.tree === undefined) return;
      const { tree: _dropped, ...rest } = node;
      this.put(ino, rest);
      if (ino === ROOT_INO) return;
      ino = node.parent;
    }
  }

  /** Marks the directory holding inode `ino` changed (its entry's metadata or content changed). */
  touchEntry(ino: number): void {
    const node = this.get(ino);
    if (node) this.touchDir(node.parent);
  }
}
