// Namespace operations on the live tree. Each runs in one LMDB write transaction that checks
// everything before it writes anything (a throw inside a batched lmdb-js transaction does not roll back).
import type { Archive } from '../archive.ts';
import { fromNodeError, unwrapCommitError, VfsError } from '../errors.ts';
import { ROOT_INO, type Inode, type InodeKind } from '../meta/inode.ts';
import type { LiveTree } from '../meta/live-tree.ts';
import { checkName } from './path.ts';
import type { SetAttr } from './types.ts';

/** `node` with the attribute changes of `attrs` applied (size aside) and `ctime`. */
export function withAttrs(node: Inode, attrs: Omit<SetAttr, 'size'>, ctime: bigint): Inode {
  const next: Inode = { ...node, ctime };
  if (attrs.mode !== undefined) next.mode = attrs.mode & 0o7777;
  if (attrs.uid !== undefined) next.uid = attrs.uid;
  if (attrs.gid !== undefined) next.gid = attrs.gid;
  if (attrs.atimeNs !== undefined) next.atime = attrs.atimeNs;
  if (attrs.mtimeNs !== undefined) next.mtime = attrs.mtimeNs;
  return next;
}

/** A resolved entry: its parent, name, inode number and record. */
export interface Located {
  parentIno: number;
  name: string;
  ino: number;
  node: Inode;
}

/** Mutations of the live tree's names and attributes. */
export class LiveFs {
  readonly tree: LiveTree;

  constructor(private readonly archive: Archive, private readonly now: () => bigint) {
    this.tree = archive.tree;
  }

  /** Runs `fn` in a write transaction (batched with concurrent ones); resolves once durable. */
  txn<T>(fn: () => T): Promise<T> {
    return (this.archive.db.env.transaction(fn) as Promise<T>).catch(async (err: unknown) => {
      throw fromNodeError(await unwrapCommitError(err), 'commit');
    });
  }

  /** The entry at `names` (not the root). */
  locate(names: string[], syscall: string): Located {
    const name = names[names.length - 1]!;
    const parent = this.dir(names.slice(0, -1), syscall, names);
    const ino = this.tree.lookup(parent.ino, name);
    if (ino === undefined) throw new VfsError('ENOENT', syscall, '/' + names.join('/'));
    return { parentIno: parent.ino, name, ino, node: this.tree.must(ino, syscall, '/' + names.join('/')) };
  }

  /** The directory at `names`; ENOTDIR/ENOENT otherwise. */
  dir(names: string[], syscall: string, full: string[] = names): { ino: number; node: Inode } {
    try {
      const d = this.tree.resolve(names, syscall);
      if (d.node.kind !== 'dir') throw new VfsError('ENOTDIR', syscall, '/' + full.join('/'));
      return d;
    } catch (err) {
      if (err instanceof VfsError) throw new VfsError(err.code, syscall, '/' + full.join('/'));
      throw err;
    }
  }

  /** Writes an inode and marks its directory changed (its metadata lives in the parent's tree). */
  update(ino: number, node: Inode): void {
    this.tree.put(ino, node);
    this.tree.touchDir(node.parent);
  }

  private touchParent(parentIno: number, parent: Inode, t: bigint): void {
    this.update(parentIno, { ...parent, mtime: t, ctime: t });
  }

  /** Creates a new entry of `kind` (write transaction); EEXIST when the name is taken. */
  createEntry(names: string[], kind: InodeKind, mode: number, extra: Partial<Inode> = {}, syscall = 'create'): { ino: number; node: Inode } {
    const name = names[names.length - 1]!;
    checkName(name, syscall);
    const parent = this.dir(names.slice(0, -1), syscall, names);
    if (this.tree.lookup(parent.ino, name) !== undefined) throw new VfsError('EEXIST', syscall, '/' + names.join('/'));
    const t = this.now();
    const node: Inode = { kind, mode: mode & 0o7777, uid: 0, gid: 0, size: 0, atime: t, mtime: t, ctime: t, btime: t, parent: parent.ino, ...extra };
    const ino = this.tree.allocIno();
    this.tree.put(ino, node);
    this.tree.link(parent.ino, name, ino);
    this.touchParent(parent.ino, parent.node, t);
    return { ino, node };
  }

  /** Removes a file or symlink entry (write transaction); returns it as it was. */
  unlink(names: string[]): Located {
    const e = this.locate(names, 'unlink');
    if (e.node.kind === 'dir') throw new VfsError('EISDIR', 'unlink', '/' + names.join('/'));
    const parent = this.tree.must(e.parentIno, 'unlink');
    this.tree.unlink(e.parentIno, e.name);
    this.tree.drop(e.ino);
    this.touchParent(e.parentIno, parent, this.now());
    return e;
  }

  /** Removes an empty directory (write transaction); returns it as it was. */
  rmdir(names: string[]): Located {
    if (names.length === 0) throw new VfsError('EBUSY', 'rmdir', '/');
    const e = this.locate(names, 'rmdir');
    if (e.node.kind !== 'dir') throw new VfsError('ENOTDIR', 'rmdir', '/' + names.join('/'));
    if (!this.tree.isEmpty(e.ino)) throw new VfsError('ENOTEMPTY', 'rmdir', '/' + names.join('/'));
    const parent = this.tree.must(e.parentIno, 'rmdir');
    this.tree.unlink(e.parentIno, e.name);
    this.tree.drop(e.ino);
    this.touchParent(e.parentIno, parent, this.now());
    return e;
  }

  /** Atomically renames (write transaction); returns the moved entry as it was (null when nothing moved) and the inode replaced at the target, if any. */
  rename(from: string[], to: string[], noReplace: boolean): { moved: Located | null; replaced: number | undefined } {
    const p = (n: string[]) => '/' + n.join('/');
    if (from.length === 0 || to.length === 0) throw new VfsError('EBUSY', 'rename', p(from.length === 0 ? from : to));
    checkName(to[to.length - 1]!, 'rename');
    const src = this.locate(from, 'rename');
    const dstParent = this.dir(to.slice(0, -1), 'rename', to);
    const dstName = to[to.length - 1]!;
    if (src.node.kind === 'dir' && to.length > from.length && from.every((n, i) => to[i] === n)) {
      throw new VfsError('EINVAL', 'rename', p(to), 'cannot move a directory into itself');
    }
    const existing = this.tree.lookup(dstParent.ino, dstName);
    if (existing === src.ino) return { moved: null, replaced: undefined };
    let replaced: Inode | undefined;
    if (existing !== undefined) {
      if (noReplace) throw new VfsError('EEXIST', 'rename', p(to));
      replaced = this.tree.must(existing, 'rename', p(to));
      if (replaced.kind === 'dir' && src.node.kind !== 'dir') throw new VfsError('EISDIR', 'rename', p(to));
      if (replaced.kind !== 'dir' && src.node.kind === 'dir') throw new VfsError('ENOTDIR', 'rename', p(to));
      if (replaced.kind === 'dir' && !this.tree.isEmpty(existing)) throw new VfsError('ENOTEMPTY', 'rename', p(to));
    }
    const t = this.now();
    if (existing !== undefined) {
      this.tree.unlink(dstParent.ino, dstName);
      this.tree.drop(existing);
    }
    this.tree.unlink(src.parentIno, src.name);
    this.tree.link(dstParent.ino, dstName, src.ino);
    this.update(src.ino, { ...src.node, parent: dstParent.ino, ctime: t });
    this.touchParent(src.parentIno, this.tree.must(src.parentIno, 'rename'), t);
    if (dstParent.ino !== src.parentIno) this.touchParent(dstParent.ino, this.tree.must(dstParent.ino, 'rename'), t);
    return { moved: src, replaced: existing };
  }

  /** Applies attribute changes other than size (write transaction). */
  setattr(names: string[], attrs: SetAttr): { ino: number; node: Inode } {
    const { ino, node } = names.length === 0 ? { ino: ROOT_INO, node: this.tree.must(ROOT_INO, 'setattr') } : this.locate(names, 'setattr');
    const next = withAttrs(node, attrs, this.now());
    this.update(ino, next);
    return { ino, node: next };
  }

  /** Changes one extended attribute (write transaction); `value` undefined removes it. Returns the entry changed. */
  setXattr(names: string[], name: string, value: Buffer | undefined, flags: { create?: boolean; replace?: boolean }): { ino: number; node: Inode } {
    const { ino, node } = names.length === 0 ? { ino: ROOT_INO, node: this.tree.must(ROOT_INO, 'setxattr') } : this.locate(names, 'setxattr');
    const has = node.xattrs?.[name] !== undefined;
    if (value === undefined && !has) throw new VfsError('ENODATA', 'removexattr', '/' + names.join('/'));
    if (flags.create && has) throw new VfsError('EEXIST', 'setxattr', '/' + names.join('/'));
    if (flags.replace && !has) throw new VfsError('ENODATA', 'setxattr', '/' + names.join('/'));
    if (name.length === 0 || Buffer.byteLength(name) > 255) throw new VfsError('EINVAL', 'setxattr', name);
    const xattrs = { ...(node.xattrs ?? {}) };
    if (value === undefined) delete xattrs[name];
    else xattrs[name] = Buffer.from(value);
    const next: Inode = { ...node, ctime: this.now(), xattrs };
    if (Object.keys(xattrs).length === 0) delete next.xattrs;
    this.update(ino, next);
    return { ino, node: next };
  }
}
