// The archive as a Vfs: routes /.snapshots/… to read-only snapshot views and everything else to the live tree,
// and publishes each committed change on its change feed (changes.ts).
import { statfs as fsStatfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Archive } from '../archive.ts';
import { isVfsError, VfsError } from '../errors.ts';
import { decodeChunks, encodeChunks, nowNs, ROOT_INO, type ChunkRef, type Inode } from '../meta/inode.ts';
import { storeStream } from '../files/content.ts';
import { SnapshotCatalog } from '../snapshot/catalog.ts';
import { takeSnapshot } from '../snapshot/take-snapshot.ts';
import { ChangeFeed, type OriginTagging } from './changes.ts';
import { LiveFile } from './live-file.ts';
import { LiveFs, withAttrs } from './live-fs.ts';
import { OpenFile, type ContentUpdate } from './open-file.ts';
import { PendingCreate } from './pending-create.ts';
import { checkName, isWithin, NAME_MAX, splitPath } from './path.ts';
import { SnapshotFs } from './snapshot-fs.ts';
import { statOf } from './stat.ts';
import { SNAPSHOTS_DIR, type DirEntry, type OpenFlags, type ReaddirOptions, type SetAttr, type SnapshotEntry, type Stat, type StatFs, type Vfs, type VfsChange, type VfsChangeListener, type VfsFile } from './types.ts';

/** Behaviour switches of one Vfs. */
export interface VfsOptions {
  /** Milliseconds clock (tests pass a fake one). */
  clock?: () => number;
  /** List `.snapshots` in the root directory (it is always reachable by name). */
  listSnapshotsDir?: boolean;
  /** Whether `mkdir /.snapshots/<name>` and `rmdir /.snapshots/<name>` are allowed. */
  allowSnapshotCreate?: boolean;
  allowSnapshotDelete?: boolean;
  /** Told about a change listener that threw (default: a process warning). */
  onListenerError?: (err: unknown, change: VfsChange) => void;
}

/** What the Vfs tracks of an open inode for its change events: its path now, and its last content change through a handle. */
interface OpenInfo {
  path: string;
  op: 'write' | 'truncate';
  /** The origin of the view whose handle changed the content last: the origin its commit is published with. */
  writer: string | undefined;
}

/** The state every origin-tagged view of one ArchiveVfs shares. */
interface Shared {
  live: LiveFs;
  snaps: SnapshotFs;
  files: Map<number, OpenFile>;
  info: Map<number, OpenInfo>;
  feed: ChangeFeed;
  /** Files opened with OpenFlags.deferCreate whose entry is not committed yet, by path. */
  creating: Map<string, Creating>;
}

/** A file created with OpenFlags.deferCreate, until its entry is committed (or cancelled). */
interface Creating {
  file: OpenFile;
  mode: number;
  pending: PendingCreate;
}

type Where = { at: 'live'; names: string[] } | { at: 'snapdir' } | { at: 'snap'; snapshot: string; names: string[] };

function where(path: string, syscall: string): Where {
  const names = splitPath(path, syscall);
  if (names[0] !== SNAPSHOTS_DIR) return { at: 'live', names };
  if (names.length === 1) return { at: 'snapdir' };
  return { at: 'snap', snapshot: names[1]!, names: names.slice(2) };
}

const rofs = (syscall: string, path: string) => new VfsError('EROFS', syscall, path, 'snapshots are read-only');

/** Creates the Vfs of an open archive. */
export function createVfs(archive: Archive, options: VfsOptions = {}): ArchiveVfs {
  return new ArchiveVfs(archive, options);
}

/** The Vfs over one archive: live tree plus snapshot views. */
export class ArchiveVfs implements Vfs, OriginTagging {
  private readonly live: LiveFs;
  private readonly snaps: SnapshotFs;
  private readonly open_: Map<number, OpenFile>;
  private readonly info: Map<number, OpenInfo>;
  private readonly feed: ChangeFeed;
  private readonly creating: Map<string, Creating>;
  private readonly shared: Shared;
  private readonly now: () => bigint;
  private zeros: Buffer | null = null;
  /** The origin tag this view stamps its changes with (undefined for the Vfs itself). */
  readonly origin: string | undefined;

  /** `view` is internal: the shared state and origin tag of a view made by `withOrigin`. */
  constructor(readonly archive: Archive, private readonly options: VfsOptions = {}, view?: { shared: Shared; origin: string }) {
    this.now = () => nowNs(options.clock);
    this.shared = view?.shared ?? {
      live: new LiveFs(archive, this.now),
      snaps: new SnapshotFs(archive),
      files: new Map(),
      info: new Map(),
      feed: new ChangeFeed(options.onListenerError ?? ((err: unknown) => process.emitWarning(`Vfs change listener failed: ${String(err)}`))),
      creating: new Map(),
    };
    ({ live: this.live, snaps: this.snaps, files: this.open_, info: this.info, feed: this.feed, creating: this.creating } = this.shared);
    this.origin = view?.origin;
  }

  withOrigin(origin: string): ArchiveVfs {
    return new ArchiveVfs(this.archive, this.options, { shared: this.shared, origin });
  }

  watch(listener: VfsChangeListener): () => void {
    return this.feed.watch(listener);
  }

  /** Publishes a change of this view (stamped with its origin); callers check `feed.active` first. */
  private publish(change: Omit<VfsChange, 'origin'>, origin = this.origin): void {
    this.feed.publish(origin === undefined ? change : { ...change, origin });
  }

  /** Publishes a change to an entry's name alone (created, removed, renamed): its content and attributes are as they were. */
  private publishName(change: Omit<VfsChange, 'origin' | 'name' | 'content' | 'attributes'>): void {
    this.publish({ ...change, name: true, content: false, attributes: false });
  }

  private snapdirStat(): Stat {
    const root = this.live.tree.must(ROOT_INO, 'stat');
    return { ...statOf(2 ** 52 - 1, { ...root, mode: 0o555 }, true), nlink: 1 };
  }

  private liveStat(ino: number, node: Inode): Stat {
    const f = this.open_.get(ino);
    if (f === undefined) {
      const st = statOf(ino, node, false);
      st.settled = true;
      return st;
    }
    if (!f.isDirty) return statOf(ino, node, false);
    return statOf(ino, withAttrs(node, f.attrs, node.ctime), false, { size: f.size, mtime: f.mtime });
  }

  async stat(path: string): Promise<Stat> {
    const w = where(path, 'stat');
    if (w.at === 'snapdir') return this.snapdirStat();
    if (w.at === 'snap') return this.snaps.stat(w.snapshot, w.names);
    const creating = this.creatingAt(normalized(w.names));
    if (creating) return this.creatingStat(creating);
    const { ino, node } = this.live.tree.resolve(w.names, 'stat');
    return this.liveStat(ino, node);
  }

  /** The deferred create at canonical path `abs` whose entry is not committed yet, if any. */
  private creatingAt(abs: string): Creating | undefined {
    return this.creating.size > 0 ? this.creating.get(abs) : undefined;
  }

  /** The stat of a file whose deferred create is not committed yet: as created, with its unflushed size. */
  private creatingStat(c: Creating): Stat {
    const t = c.file.mtime ?? this.now();
    const node: Inode = { kind: 'file', mode: c.mode, uid: 0, gid: 0, size: c.file.size, atime: t, mtime: t, ctime: t, btime: t, parent: 0 };
    return statOf(2 ** 52 - 2, withAttrs(node, c.file.attrs, t), false);
  }

  /**
   * Commits the entries of deferred creates at `paths` or under them (every one without paths) and
   * waits for them: the tree then holds them for a read or a change that concerns them.
   */
  private async settleCreates(...paths: string[]): Promise<void> {
    if (this.creating.size === 0) return;
    const waits: Array<Promise<void>> = [];
    for (const [at, c] of this.creating) {
      if (paths.length > 0 && !paths.some((p) => isWithin(at, p))) continue;
      c.pending.issue();
      waits.push(c.pending.done);
    }
    await Promise.all(waits);
  }

  async readdir(path: string, opts: ReaddirOptions = {}): Promise<DirEntry[]> {
    const w = where(path, 'readdir');
    if (w.at === 'snap') return this.snaps.readdir(w.snapshot, w.names, opts.after, opts.limit);
    if (w.at === 'snapdir') {
      const all = new SnapshotCatalog(this.archive.db).list().map((s) => s.name).sort();
      const names = all.filter((n) => opts.after === undefined || n > opts.after).slice(0, opts.limit);
      return Promise.all(names.map(async (name) => ({ name, stat: await this.snaps.stat(name, []) })));
    }
    await this.settleCreates(normalized(w.names));
    const dir = this.live.dir(w.names, 'readdir');
    const out: DirEntry[] = [];
    if (w.names.length === 0 && this.options.listSnapshotsDir && (opts.after === undefined || SNAPSHOTS_DIR > opts.after)) {
      out.push({ name: SNAPSHOTS_DIR, stat: this.snapdirStat() });
    }
    for (const { name, ino } of this.live.tree.list(dir.ino, opts.after, opts.limit)) {
      const node = this.live.tree.get(ino);
      if (node) out.push({ name, stat: this.liveStat(ino, node) });
    }
    if (opts.limit !== undefined && out.length > opts.limit) out.length = opts.limit;
    return out;
  }

  async open(path: string, flags: OpenFlags = {}): Promise<VfsFile> {
    const w = where(path, 'open');
    const writing = !!(flags.write || flags.truncate || flags.append || flags.create);
    if (w.at !== 'live') {
      if (writing) throw rofs('open', path);
      if (w.at === 'snapdir') throw new VfsError('EISDIR', 'open', path);
      return this.snaps.open(w.snapshot, w.names);
    }
    if (w.names.length === 0) throw new VfsError('EISDIR', 'open', path);
    await this.settleCreates(normalized(w.names));
    if (flags.create && flags.deferCreate) {
      const deferred = this.openDeferred(w.names, path, flags);
      if (deferred) return deferred;
    }
    let located: { ino: number; node: Inode; created?: boolean };
    if (flags.create) {
      located = await this.live.txn(() => {
        const parent = this.live.dir(w.names.slice(0, -1), 'open', w.names);
        const existing = this.live.tree.lookup(parent.ino, w.names[w.names.length - 1]!);
        if (existing !== undefined) {
          if (flags.exclusive) throw new VfsError('EEXIST', 'open', path);
          return { ino: existing, node: this.live.tree.must(existing, 'open', path) };
        }
        return { ...this.live.createEntry(w.names, 'file', flags.mode ?? 0o644, {}, 'open'), created: true };
      });
    } else located = this.live.tree.resolve(w.names, 'open');
    if (located.node.kind === 'dir') throw new VfsError('EISDIR', 'open', path);
    if (located.node.kind === 'symlink') throw new VfsError('ELOOP', 'open', path);
    const abs = normalized(w.names);
    if (located.created && this.feed.active) this.publishName({ action: 'added', op: 'create', path: abs, kind: 'file', ino: located.ino });
    const file = this.acquire(located.ino, located.node, abs);
    const noteChange = (op: OpenInfo['op']) => {
      const info = this.info.get(file.ino);
      if (!info) return;
      info.op = op;
      info.writer = this.origin;
    };
    const handle = new ChangingFile(abs, file, { write: writing, append: !!flags.append }, () => this.statIno(file.ino, path), (f) => this.releaseFile(f), noteChange);
    if (flags.truncate && file.size > 0) {
      noteChange('truncate');
      await file.truncate(0);
    }
    return handle;
  }

  /**
   * OpenFlags.deferCreate: when `names` does not exist yet, answers at once with a handle on a new
   * file whose entry is written later (pending-create.ts): with its first content commit, or when
   * another call needs it. Null when the name exists: the caller opens it.
   */
  private openDeferred(names: string[], path: string, flags: OpenFlags): VfsFile | null {
    const name = names[names.length - 1]!;
    checkName(name, 'open');
    const parent = this.live.dir(names.slice(0, -1), 'open', names);
    if (this.live.tree.lookup(parent.ino, name) !== undefined) return null;
    const abs = normalized(names);
    const mode = (flags.mode ?? 0o644) & 0o7777;
    const createEntry = () => this.live.createEntry(names, 'file', mode, {}, 'open');
    const pending: PendingCreate = new PendingCreate(
      {
        create: () => this.live.txn(createEntry),
        commitWithCreate: (u, createIn) => this.archive.store.commit(() => {
          const made = createIn();
          if (made) this.live.update(made.ino, withAttrs({ ...made.node, chunks: encodeChunks(u.refs), size: u.size, mtime: u.mtimeNs }, u.attrs, this.now()));
        }),
        commitContent: (ino, u) => this.commitContent(ino, u),
        registered: (ino) => {
          file.bind(ino);
          this.open_.set(ino, file);
          this.info.set(ino, { path: abs, op: 'write', writer: this.origin });
          if (this.feed.active) this.publishName({ action: 'added', op: 'create', path: abs, kind: 'file', ino });
        },
      },
      createEntry,
    );
    const file = this.newOpenFile(0, [], (_ino, u) => pending.commit(u));
    file.touchNew();
    file.handles++;
    const entry: Creating = { file, mode, pending };
    void pending.done.then(() => {
      if (this.creating.get(abs) === entry) this.creating.delete(abs);
    });
    this.creating.set(abs, entry);
    const noteChange = (op: OpenInfo['op']) => {
      const info = this.info.get(file.ino);
      if (!info) return;
      info.op = op;
      info.writer = this.origin;
    };
    const statNow = async () => {
      pending.issue();
      await pending.done;
      return this.statIno(file.ino, path);
    };
    const release = async (f: OpenFile) => {
      await pending.done;
      if (f.ino === 0) {
        // Never created (unlinked first, or creating it failed): nothing was registered.
        f.handles--;
        await f.dispose();
        return;
      }
      await this.releaseFile(f);
    };
    return new ChangingFile(abs, file, { write: true, append: !!flags.append }, statNow, release, noteChange);
  }

  private statIno(ino: number, path: string): Promise<Stat> {
    const node = this.live.tree.get(ino);
    const f = this.open_.get(ino);
    if (!node) {
      if (!f) throw new VfsError('ENOENT', 'fstat', path);
      const t = this.now();
      return Promise.resolve(statOf(ino, { kind: 'file', mode: 0o644, uid: 0, gid: 0, size: f.size, atime: t, mtime: t, ctime: t, btime: t, parent: 0 }, false));
    }
    return Promise.resolve(this.liveStat(ino, node));
  }

  private acquire(ino: number, node: Inode, path: string): OpenFile {
    let f = this.open_.get(ino);
    if (!f) {
      this.info.set(ino, { path, op: 'write', writer: this.origin });
      f = this.newOpenFile(ino, decodeChunks(node.chunks), (i, u) => this.commitContent(i, u));
      this.open_.set(ino, f);
    }
    f.handles++;
    return f;
  }

  private newOpenFile(ino: number, refs: ChunkRef[], commit: (ino: number, u: ContentUpdate) => Promise<void>): OpenFile {
    return new OpenFile(ino, refs, {
      store: this.archive.store,
      newChunker: () => this.archive.newChunker(),
      newSink: () => this.archive.newChunkSink(),
      stagingDir: join(this.archive.dir, 'staging'),
      now: this.now,
      zeroChunk: () => this.zeroChunk(),
      commit,
    });
  }

  /** The all-zero chunk this archive's chunker cuts from a run of zeros (computed once). */
  private zeroChunk(): Buffer {
    if (!this.zeros) {
      const c = this.archive.newChunker();
      this.zeros = c.push(Buffer.alloc(this.archive.chunkerParams.max))[0] ?? c.finish()[0]!;
    }
    return this.zeros;
  }

  private async releaseFile(f: OpenFile): Promise<void> {
    f.handles--;
    if (f.handles > 0) return;
    this.open_.delete(f.ino);
    this.info.delete(f.ino);
    await f.dispose();
  }

  private async commitContent(ino: number, u: ContentUpdate): Promise<void> {
    let committed = false;
    await this.archive.store.commit(() => {
      const node = this.live.tree.get(ino);
      if (!node) return;
      this.live.update(ino, withAttrs({ ...node, chunks: encodeChunks(u.refs), size: u.size, mtime: u.mtimeNs }, u.attrs, this.now()));
      committed = true;
    });
    const info = this.info.get(ino);
    if (!committed || !info || !this.feed.active) return;
    const attributes = Object.values(u.attrs).some((v) => v !== undefined);
    this.publish({ action: 'modified', op: info.op, path: info.path, kind: 'file', ino, name: false, content: true, attributes }, info.writer);
  }

  async writeFile(path: string, source: AsyncIterable<Uint8Array> | Uint8Array, opts: { mode?: number; mtimeNs?: bigint; exclusive?: boolean } = {}): Promise<Stat> {
    const w = where(path, 'write');
    if (w.at !== 'live') throw rofs('write', path);
    if (w.names.length === 0) throw new VfsError('EISDIR', 'write', path);
    await this.settleCreates(normalized(w.names));
    const precheck = () => {
      const parent = this.live.dir(w.names.slice(0, -1), 'write', w.names);
      const existing = this.live.tree.lookup(parent.ino, w.names[w.names.length - 1]!);
      const node = existing === undefined ? undefined : this.live.tree.must(existing, 'write', path);
      if (node?.kind === 'dir') throw new VfsError('EISDIR', 'write', path);
      if (node && opts.exclusive) throw new VfsError('EEXIST', 'write', path);
      return { parent, existing, node };
    };
    precheck();
    const input = source instanceof Uint8Array ? (async function* () { yield source; })() : source;
    const endWrite = this.archive.store.beginWrite();
    let result!: { ino: number; node: Inode };
    let created = false;
    try {
      const content = await storeStream(this.archive.newChunkSink(), input);
      await this.archive.store.commit(() => {
        const { existing, node } = precheck();
        const t = this.now();
        const fields = { chunks: encodeChunks(content.refs), size: content.size, mtime: opts.mtimeNs ?? t, ctime: t };
        if (existing !== undefined && node) {
          const next: Inode = { ...node, ...fields, ...(opts.mode !== undefined ? { mode: opts.mode & 0o7777 } : {}) };
          this.live.update(existing, next);
          result = { ino: existing, node: next };
        } else {
          result = this.live.createEntry(w.names, 'file', opts.mode ?? 0o644, fields, 'write');
          created = true;
        }
      });
    } finally {
      endWrite();
    }
    // Handles open on the replaced file (another protocol's) read the new content from now on.
    await this.open_.get(result.ino)?.resync(() => {
      const node = this.live.tree.get(result.ino);
      return node?.kind === 'file' ? { refs: decodeChunks(node.chunks), size: node.size } : null;
    });
    if (this.feed.active) {
      const abs = normalized(w.names);
      this.publish({ action: created ? 'added' : 'modified', op: created ? 'create' : 'write', path: abs, kind: 'file', ino: result.ino, name: created, content: true, attributes: opts.mode !== undefined });
    }
    return this.liveStat(result.ino, result.node);
  }

  async mkdir(path: string, mode = 0o755): Promise<Stat> {
    const w = where(path, 'mkdir');
    if (w.at === 'snapdir') throw new VfsError('EEXIST', 'mkdir', path);
    if (w.at === 'snap') {
      if (w.names.length > 0) throw rofs('mkdir', path);
      if (this.options.allowSnapshotCreate === false) throw new VfsError('EACCES', 'mkdir', path, 'taking snapshots is not allowed');
      await this.flushAll();
      await takeSnapshot(this.archive, w.snapshot, () => new Date(this.options.clock?.() ?? Date.now()));
      if (this.feed.active) this.publishSnapshot(w.snapshot, 'added');
      return this.snaps.stat(w.snapshot, []);
    }
    if (w.names.length === 0) throw new VfsError('EEXIST', 'mkdir', '/');
    await this.settleCreates(normalized(w.names));
    const { ino, node } = await this.live.txn(() => this.live.createEntry(w.names, 'dir', mode, {}, 'mkdir'));
    if (this.feed.active) this.publishName({ action: 'added', op: 'mkdir', path: normalized(w.names), kind: 'dir', ino });
    return this.liveStat(ino, node);
  }

  async unlink(path: string): Promise<void> {
    const w = where(path, 'unlink');
    if (w.at === 'snapdir') throw new VfsError('EISDIR', 'unlink', path);
    if (w.at === 'snap') throw rofs('unlink', path);
    if (w.names.length === 0) throw new VfsError('EISDIR', 'unlink', path);
    const abs = normalized(w.names);
    const creating = this.creatingAt(abs);
    if (creating?.pending.cancel()) {
      // Its entry was never written (nor announced): nothing to remove, and nothing to make durable.
      this.creating.delete(abs);
      return;
    }
    await this.settleCreates(abs);
    const gone = await this.live.txn(() => this.live.unlink(w.names));
    if (this.feed.active) this.publishName({ action: 'removed', op: 'unlink', path: normalized(w.names), kind: gone.node.kind, ino: gone.ino });
  }

  async rmdir(path: string): Promise<void> {
    const w = where(path, 'rmdir');
    if (w.at === 'snapdir') throw new VfsError('EBUSY', 'rmdir', path);
    if (w.at === 'snap') {
      if (w.names.length > 0) throw rofs('rmdir', path);
      if (this.options.allowSnapshotDelete === false) throw new VfsError('EACCES', 'rmdir', path, 'deleting snapshots is not allowed');
      this.snaps.snapshot(w.snapshot, 'rmdir');
      const catalog = new SnapshotCatalog(this.archive.db);
      await this.live.txn(() => {
        if (catalog.get(w.snapshot)) catalog.remove(w.snapshot);
      });
      if (this.feed.active) this.publishSnapshot(w.snapshot, 'removed');
      return;
    }
    await this.settleCreates(normalized(w.names));
    const gone = await this.live.txn(() => this.live.rmdir(w.names));
    if (this.feed.active) this.publishName({ action: 'removed', op: 'rmdir', path: normalized(w.names), kind: 'dir', ino: gone.ino });
  }

  private publishSnapshot(name: string, action: 'added' | 'removed'): void {
    this.publishName({ action, op: 'snapshot', path: `/${SNAPSHOTS_DIR}/${name}`, kind: 'dir' });
  }

  async rename(from: string, to: string, opts: { noReplace?: boolean } = {}): Promise<void> {
    const a = where(from, 'rename');
    const b = where(to, 'rename');
    if (a.at !== 'live' || b.at !== 'live') throw rofs('rename', a.at !== 'live' ? from : to);
    await this.settleCreates(normalized(a.names), normalized(b.names));
    const { moved, replaced } = await this.live.txn(() => this.live.rename(a.names, b.names, !!opts.noReplace));
    if (!moved) return;
    const [src, dst] = [normalized(a.names), normalized(b.names)];
    for (const info of this.info.values()) {
      if (info.path === src || info.path.startsWith(src + '/')) info.path = dst + info.path.slice(src.length);
    }
    if (this.feed.active) {
      this.publishName({ action: 'renamed', op: 'rename', path: dst, from: src, kind: moved.node.kind, ino: moved.ino, ...(replaced !== undefined ? { replacedIno: replaced } : {}) });
    }
  }

  async symlink(target: string, path: string): Promise<Stat> {
    const w = where(path, 'symlink');
    if (w.at !== 'live') throw rofs('symlink', path);
    if (target.length === 0 || target.includes('\0') || Buffer.byteLength(target) > 4096) throw new VfsError('EINVAL', 'symlink', path, 'invalid symlink target');
    await this.settleCreates(normalized(w.names));
    const { ino, node } = await this.live.txn(() => this.live.createEntry(w.names, 'symlink', 0o777, { target, size: Buffer.byteLength(target) }, 'symlink'));
    if (this.feed.active) this.publishName({ action: 'added', op: 'symlink', path: normalized(w.names), kind: 'symlink', ino });
    return this.liveStat(ino, node);
  }

  async readlink(path: string): Promise<string> {
    const w = where(path, 'readlink');
    if (w.at === 'snapdir') throw new VfsError('EINVAL', 'readlink', path);
    const node = w.at === 'snap' ? (await this.snaps.resolve(w.snapshot, w.names, 'readlink')).node : this.live.tree.resolve(w.names, 'readlink').node;
    if (node.kind !== 'symlink') throw new VfsError('EINVAL', 'readlink', path, 'not a symlink');
    return node.target ?? '';
  }

  async setattr(path: string, attrs: SetAttr): Promise<Stat> {
    const w = where(path, 'setattr');
    if (w.at !== 'live') throw rofs('setattr', path);
    if (attrs.size !== undefined) {
      const f = await this.open(path, { write: true });
      try {
        await f.truncate(attrs.size);
      } finally {
        await f.close();
      }
    }
    const rest = { ...attrs };
    delete rest.size;
    if (Object.keys(rest).length === 0) return this.stat(path);
    // tar and cp -a set times, owner and mode on a file they just created: they ride with its first commit.
    const creating = this.creatingAt(normalized(w.names));
    if (creating && (await creating.file.deferAttrs(rest)) && this.creatingAt(normalized(w.names)) === creating) return this.creatingStat(creating);
    await this.settleCreates(normalized(w.names));
    const target = this.live.tree.resolve(w.names, 'setattr');
    const open = this.open_.get(target.ino);
    const changed = (ino: number, node: Inode) => {
      if (this.feed.active) this.publish({ action: 'modified', op: 'setattr', path: normalized(w.names), kind: node.kind, ino, name: false, content: false, attributes: true });
      return this.liveStat(ino, node);
    };
    if (open && (await open.deferAttrs(rest))) return changed(target.ino, this.live.tree.get(target.ino) ?? target.node);
    const { ino, node } = await this.live.txn(() => this.live.setattr(w.names, rest));
    return changed(ino, node);
  }

  async statfs(): Promise<StatFs> {
    const s = await fsStatfs(this.archive.dir);
    return { blockSize: s.bsize, blocks: s.blocks, blocksFree: s.bfree, blocksAvail: s.bavail, files: s.files, filesFree: s.ffree, nameMax: NAME_MAX };
  }

  private async xattrNode(path: string, syscall: string): Promise<Inode> {
    const w = where(path, syscall);
    if (w.at === 'live') await this.settleCreates(normalized(w.names));
    if (w.at === 'snapdir') return { ...this.live.tree.must(ROOT_INO, syscall) };
    if (w.at === 'snap') return (await this.snaps.resolve(w.snapshot, w.names, syscall)).node;
    return this.live.tree.resolve(w.names, syscall).node;
  }

  async getxattr(path: string, name: string): Promise<Buffer> {
    const v = (await this.xattrNode(path, 'getxattr')).xattrs?.[name];
    if (v === undefined) throw new VfsError('ENODATA', 'getxattr', path);
    return v;
  }

  async listxattr(path: string): Promise<string[]> {
    return Object.keys((await this.xattrNode(path, 'listxattr')).xattrs ?? {}).sort();
  }

  async setxattr(path: string, name: string, value: Buffer, flags: { create?: boolean; replace?: boolean } = {}): Promise<void> {
    const w = where(path, 'setxattr');
    if (w.at !== 'live') throw rofs('setxattr', path);
    await this.settleCreates(normalized(w.names));
    const { ino, node } = await this.live.txn(() => this.live.setXattr(w.names, name, value, flags));
    if (this.feed.active) this.publishXattr(w.names, ino, node);
  }

  private publishXattr(names: string[], ino: number, node: Inode): void {
    this.publish({ action: 'modified', op: 'xattr', path: normalized(names), kind: node.kind, ino, name: false, content: false, attributes: true });
  }

  async removexattr(path: string, name: string): Promise<void> {
    const w = where(path, 'removexattr');
    if (w.at !== 'live') throw rofs('removexattr', path);
    await this.settleCreates(normalized(w.names));
    const { ino, node } = await this.live.txn(() => this.live.setXattr(w.names, name, undefined, {}));
    if (this.feed.active) this.publishXattr(w.names, ino, node);
  }

  async snapshots(): Promise<SnapshotEntry[]> {
    return new SnapshotCatalog(this.archive.db).list().map((s) => ({ name: s.name, id: s.id, time: new Date(s.time) }));
  }

  /** Chunk ids held by open files (prune keeps them: an unlinked open file stays readable). */
  *openChunkIds(): Iterable<Buffer> {
    for (const f of this.open_.values()) for (const r of f.committedRefs) yield r.id;
  }

  /** Commits every open file's unflushed writes (before a snapshot, and at shutdown). */
  async flushAll(): Promise<void> {
    const files = new Set([...this.open_.values(), ...[...this.creating.values()].map((c) => c.file)]);
    const results = await Promise.allSettled([...files].map((f) => f.flush()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed && failed.status === 'rejected') throw isVfsError(failed.reason) ? failed.reason : new VfsError('EIO', 'flush', undefined, String(failed.reason));
  }
}

function normalized(names: string[]): string {
  return '/' + names.join('/');
}

/** A live handle that tells the Vfs about content changes made through it (whose origin the commit carries). */
class ChangingFile extends LiveFile {
  constructor(
    path: string,
    file: OpenFile,
    mode: { write: boolean; append: boolean },
    statNow: () => Promise<Stat>,
    release: (f: OpenFile) => Promise<void>,
    private readonly noteChange: (op: 'write' | 'truncate') => void,
  ) {
    super(path, file, mode, statNow, release);
  }

  override write(offset: number, data: Uint8Array): Promise<number> {
    this.noteChange('write');
    return super.write(offset, data);
  }

  override truncate(size: number): Promise<void> {
    this.noteChange('truncate');
    return super.truncate(size);
  }
}
