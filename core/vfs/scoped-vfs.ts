// A user's view of the Vfs: jailed to their home (snapshots included), read-only when they are,
// snapshot rights checked. The one place rights are enforced; every frontend serves this. Its change feed
// shows the inner Vfs's changes with paths mapped into the user's view (changes outside it are dropped).
import type { User } from '../auth/user.ts';
import { isVfsError, VfsError } from '../errors.ts';
import { withOrigin, type OriginTagging } from './changes.ts';
import { splitPath } from './path.ts';
import { SNAPSHOTS_DIR, type DirEntry, type OpenFlags, type ReaddirOptions, type SetAttr, type SnapshotEntry, type Stat, type StatFs, type Vfs, type VfsChange, type VfsChangeListener, type VfsFile } from './types.ts';

/** Returns the Vfs `user` may use. */
export function scopeVfs(inner: Vfs, user: User): Vfs {
  return new ScopedVfs(inner, user);
}

class ScopedVfs implements Vfs, OriginTagging {
  private readonly home: string[];

  constructor(private readonly inner: Vfs, private readonly user: User) {
    this.home = splitPath(user.home, 'login');
  }

  /** The inner path of a user path. */
  private map(path: string, syscall: string): string {
    const names = splitPath(path, syscall);
    if (names[0] === SNAPSHOTS_DIR && names.length >= 2) return '/' + [SNAPSHOTS_DIR, names[1]!, ...this.home, ...names.slice(2)].join('/');
    if (names[0] === SNAPSHOTS_DIR) return `/${SNAPSHOTS_DIR}`;
    return '/' + [...this.home, ...names].join('/');
  }

  /** Runs `fn`, reporting errors with the user's own path (never the path outside their home). */
  private async guard<T>(path: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isVfsError(err)) throw new VfsError(err.code, err.syscall, path);
      throw err;
    }
  }

  private writable(syscall: string, path: string): void {
    if (this.user.readOnly) throw new VfsError('EACCES', syscall, path, `user ${this.user.name} is read-only`);
  }

  /** A snapshot root (/.snapshots/NAME) named by a user path, or null. */
  private snapshotRoot(path: string, syscall: string): string | null {
    const names = splitPath(path, syscall);
    return names[0] === SNAPSHOTS_DIR && names.length === 2 ? names[1]! : null;
  }

  stat(path: string): Promise<Stat> {
    return this.guard(path, () => this.inner.stat(this.map(path, 'stat')));
  }

  readdir(path: string, opts?: ReaddirOptions): Promise<DirEntry[]> {
    return this.guard(path, () => this.inner.readdir(this.map(path, 'readdir'), opts));
  }

  async open(path: string, flags: OpenFlags = {}): Promise<VfsFile> {
    if (flags.write || flags.create || flags.truncate || flags.append) this.writable('open', path);
    return this.guard(path, () => this.inner.open(this.map(path, 'open'), flags));
  }

  writeFile(path: string, source: AsyncIterable<Uint8Array> | Uint8Array, opts?: { mode?: number; mtimeNs?: bigint; exclusive?: boolean }): Promise<Stat> {
    this.writable('write', path);
    return this.guard(path, () => this.inner.writeFile(this.map(path, 'write'), source, opts));
  }

  mkdir(path: string, mode?: number): Promise<Stat> {
    const snap = this.snapshotRoot(path, 'mkdir');
    if (snap !== null) {
      if (!this.user.snapshotCreate) throw new VfsError('EACCES', 'mkdir', path, `user ${this.user.name} may not take snapshots`);
      return this.guard(path, async () => {
        await this.inner.mkdir(`/${SNAPSHOTS_DIR}/${snap}`);
        return this.inner.stat(this.map(path, 'mkdir'));
      });
    }
    this.writable('mkdir', path);
    return this.guard(path, () => this.inner.mkdir(this.map(path, 'mkdir'), mode));
  }

  unlink(path: string): Promise<void> {
    this.writable('unlink', path);
    return this.guard(path, () => this.inner.unlink(this.map(path, 'unlink')));
  }

  rmdir(path: string): Promise<void> {
    const snap = this.snapshotRoot(path, 'rmdir');
    if (snap !== null) {
      if (!this.user.snapshotDelete) throw new VfsError('EACCES', 'rmdir', path, `user ${this.user.name} may not delete snapshots`);
      return this.guard(path, () => this.inner.rmdir(`/${SNAPSHOTS_DIR}/${snap}`));
    }
    this.writable('rmdir', path);
    return this.guard(path, () => this.inner.rmdir(this.map(path, 'rmdir')));
  }

  rename(from: string, to: string, opts?: { noReplace?: boolean }): Promise<void> {
    this.writable('rename', from);
    return this.guard(from, () => this.inner.rename(this.map(from, 'rename'), this.map(to, 'rename'), opts));
  }

  symlink(target: string, path: string): Promise<Stat> {
    this.writable('symlink', path);
    return this.guard(path, () => this.inner.symlink(target, this.map(path, 'symlink')));
  }

  readlink(path: string): Promise<string> {
    return this.guard(path, () => this.inner.readlink(this.map(path, 'readlink')));
  }

  setattr(path: string, attrs: SetAttr): Promise<Stat> {
    this.writable('setattr', path);
    return this.guard(path, () => this.inner.setattr(this.map(path, 'setattr'), attrs));
  }

  statfs(): Promise<StatFs> {
    return this.inner.statfs();
  }

  getxattr(path: string, name: string): Promise<Buffer> {
    return this.guard(path, () => this.inner.getxattr(this.map(path, 'getxattr'), name));
  }

  setxattr(path: string, name: string, value: Buffer, flags?: { create?: boolean; replace?: boolean }): Promise<void> {
    this.writable('setxattr', path);
    return this.guard(path, () => this.inner.setxattr(this.map(path, 'setxattr'), name, value, flags));
  }

  listxattr(path: string): Promise<string[]> {
    return this.guard(path, () => this.inner.listxattr(this.map(path, 'listxattr')));
  }

  removexattr(path: string, name: string): Promise<void> {
    this.writable('removexattr', path);
    return this.guard(path, () => this.inner.removexattr(this.map(path, 'removexattr'), name));
  }

  snapshots(): Promise<SnapshotEntry[]> {
    return this.inner.snapshots();
  }

  watch(listener: VfsChangeListener): () => void {
    return this.inner.watch((change) => {
      const mine = this.viewOf(change);
      if (mine) listener(mine);
    });
  }

  withOrigin(origin: string): Vfs {
    return new ScopedVfs(withOrigin(this.inner, origin), this.user);
  }

  /** The user path of an inner path, or null when it lies outside the user's view. */
  private unmap(path: string): string | null {
    const names = path.split('/').filter((n) => n !== '');
    const home = this.home;
    if (names[0] === SNAPSHOTS_DIR) {
      if (names.length <= 2) return path;
      const rest = names.slice(2);
      return home.every((n, i) => rest[i] === n) ? '/' + [SNAPSHOTS_DIR, names[1]!, ...rest.slice(home.length)].join('/') : null;
    }
    if (!home.every((n, i) => names[i] === n)) return null;
    const mine = names.slice(home.length);
    // A live entry named .snapshots below the home would read as the snapshots directory in this view.
    if (home.length && mine[0] === SNAPSHOTS_DIR) return null;
    return '/' + mine.join('/');
  }

  /** A change as this user sees it (a rename across the edge of the view becomes an add or a remove), or null. */
  private viewOf(change: VfsChange): VfsChange | null {
    if (!this.home.length) return change;
    const path = this.unmap(change.path);
    const from = change.from === undefined ? null : this.unmap(change.from);
    if (change.from === undefined) return path === null ? null : { ...change, path };
    if (path !== null && from !== null) return { ...change, path, from };
    const rest: VfsChange = { ...change };
    delete rest.from;
    if (path !== null) return { ...rest, action: 'added', path };
    if (from !== null) return { ...rest, action: 'removed', path: from };
    return null;
  }
}
