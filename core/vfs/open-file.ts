// One open file shared by all its handles: committed chunks plus an overlay of unflushed writes in
// staging. On flush only the changed range is re-chunked, until boundaries meet the old ones again.
// A file written sequentially from empty skips staging: its bytes are chunked and stored as they
// arrive, and only spill into staging when anything else (a read, a seek, a truncate) comes first.
import { open as openFs, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fromNodeError } from '../errors.ts';
import type { ChunkRef } from '../meta/inode.ts';
import type { Chunker } from '../store/chunker.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { BlobType } from '../store/pack-format.ts';
import { chunkAt, chunkOffsets, joinParts, readRange, readRangeParts } from '../files/content.ts';
import { ReadAhead } from '../files/read-ahead.ts';
import type { ChunkSink } from '../files/chunk-sink.ts';
import { Mutex } from '../util/mutex.ts';
import { IntervalSet } from './intervals.ts';

/** Attributes set on a file with unflushed writes (chmod, chown, utimens before close): they ride along with its commit. */
export interface PendingAttrs {
  mode?: number;
  uid?: number;
  gid?: number;
  atimeNs?: bigint;
}

/** What a commit hands to the metadata layer. */
export interface ContentUpdate {
  refs: ChunkRef[];
  size: number;
  mtimeNs: bigint;
  attrs: PendingAttrs;
}

/** Where an open file gets its collaborators. */
export interface OpenFileDeps {
  store: ObjectStore;
  newChunker: () => Chunker;
  /** A sink for a file written sequentially from empty. */
  newSink: () => ChunkSink;
  stagingDir: string;
  now: () => bigint;
  /** The chunk a run of zeros cuts into from a chunk start (all zeros, this length): holes are chunked without reading them. */
  zeroChunk: () => Buffer;
  /** Writes the new content into the inode, in the same commit as the chunks; false when the inode is gone. */
  commit: (ino: number, update: ContentUpdate) => Promise<void>;
}

const PIECE = 1024 * 1024;
const MAX_INFLIGHT = 4;

/** The shared state of one file open for reading and writing. */
export class OpenFile {
  handles = 0;
  private refs: ChunkRef[];
  private offsets: number[];
  private sizeNow: number;
  private readonly dirty = new IntervalSet();
  private changedLo = Infinity;
  private changedHi = -1;
  /** Base bytes at or beyond this offset were cut off by a truncate. */
  private baseLimit: number;
  private pendingMtime: bigint | null = null;
  private pendingAttrs: PendingAttrs = {};
  private staging: FileHandle | null = null;
  private stagingPath: string | null = null;
  private readonly lock = new Mutex();
  /** The sequential write being chunked as it arrives, if any. */
  private sink: ChunkSink | null = null;
  /** Ends the store's write bracket that keeps chunks stored for unflushed writes safe from prune. */
  private endSinkWrite: (() => void) | null = null;
  private readonly readAhead: ReadAhead;

  /** `ino` is 0 while the file's entry is still being created (OpenFlags.deferCreate); `bind` sets it. */
  constructor(private ino_: number, refs: ChunkRef[], private readonly deps: OpenFileDeps) {
    this.readAhead = new ReadAhead(deps.store);
    this.refs = refs;
    this.offsets = chunkOffsets(refs);
    this.sizeNow = this.offsets[refs.length]!;
    this.baseLimit = this.sizeNow;
  }

  /** The inode number (0 until a deferred create committed). */
  get ino(): number {
    return this.ino_;
  }

  /** Sets the inode number once a deferred create committed. */
  bind(ino: number): void {
    this.ino_ = ino;
  }

  /** Marks the file changed with nothing written yet: its next flush commits (a new file's first commit). */
  touchNew(): void {
    this.changed(0, 0);
  }

  /** Current size including unflushed writes. */
  get size(): number {
    return this.sizeNow;
  }

  /** The mtime of unflushed writes, if any. */
  get mtime(): bigint | null {
    return this.pendingMtime;
  }

  /** Attributes waiting for the next flush. */
  get attrs(): PendingAttrs {
    return this.pendingAttrs;
  }

  /**
   * Takes attribute changes into the next flush when there are unflushed writes (so tar, cp -a and
   * rsync, which set them just before close, cost no commit of their own); false when the file is
   * clean and the caller must commit them. An explicit mtime wins over the writes' own.
   */
  deferAttrs(attrs: PendingAttrs & { mtimeNs?: bigint }): Promise<boolean> {
    return this.lock.run(async () => {
      if (!this.isDirty) return false;
      const { mtimeNs, ...rest } = attrs;
      if (mtimeNs !== undefined) this.pendingMtime = mtimeNs;
      for (const [k, v] of Object.entries(rest)) if (v !== undefined) (this.pendingAttrs as Record<string, unknown>)[k] = v;
      return true;
    });
  }

  /** True when there is something to flush. */
  get isDirty(): boolean {
    return this.changedHi >= 0;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    return joinParts(await this.readParts(offset, length));
  }

  readParts(offset: number, length: number): Promise<Buffer[]> {
    // A clean file is read from the chunk list of this moment without the lock, so read-ahead
    // overlaps pack reads with verifying them (a flush replaces the list, it never changes it).
    if (!this.sink && this.dirty.empty && offset + length <= this.baseLimit) {
      const parts = readRangeParts(this.deps.store, this.refs, this.offsets, offset, length);
      this.readAhead.noteRead(this.refs, this.offsets, offset, length, parts);
      return parts;
    }
    return this.lock.run(async () => {
      await this.spill();
      return this.readUnlocked(offset, length);
    });
  }

  private async readUnlocked(offset: number, length: number): Promise<Buffer[]> {
    const end = Math.min(this.sizeNow, offset + length);
    if (offset >= end) return [];
    const baseEnd = Math.min(end, this.baseLimit);
    const store = this.deps.store;
    // Clean range: straight from the chunks, no copy.
    if (this.dirty.empty && baseEnd === end) return readRangeParts(store, this.refs, this.offsets, offset, end - offset);
    const out = Buffer.alloc(end - offset);
    if (offset < baseEnd) (await readRange(store, this.refs, this.offsets, offset, baseEnd - offset)).copy(out, 0);
    for (const [a, b] of this.dirty.overlapping(offset, end)) await this.staging!.read(out, a - offset, b - a, a);
    return [out];
  }

  write(offset: number, data: Uint8Array): Promise<number> {
    return this.lock.run(async () => {
      if (data.length === 0) return 0;
      if (this.sink ? offset === this.sizeNow : offset === 0 && this.sizeNow === 0 && this.dirty.empty) return this.streamWrite(data);
      await this.spill();
      await this.stage(offset, data);
      this.changed(offset, offset + data.length);
      this.sizeNow = Math.max(this.sizeNow, offset + data.length);
      this.pendingMtime = this.deps.now();
      return data.length;
    });
  }

  /** Appends through the sink, starting it on the first write into an empty file. */
  private async streamWrite(data: Uint8Array): Promise<number> {
    if (!this.sink) {
      this.endSinkWrite = this.deps.store.beginWrite();
      this.sink = this.deps.newSink();
    }
    await this.sink.push(data);
    this.sizeNow = this.sink.size;
    this.changed(0, this.sizeNow);
    this.pendingMtime = this.deps.now();
    return data.length;
  }

  /** Turns a sink into the staged form: its stored chunks become the base, its uncut bytes go to staging. */
  private async spill(): Promise<void> {
    if (!this.sink) return;
    const size = this.sink.size;
    const { refs, tail } = await this.sink.drain();
    this.sink = null;
    this.adopt(refs, size);
    if (tail.length === 0) return;
    await this.stage(size - tail.length, tail);
  }

  /** Writes `data` into the staging file at `offset` and marks that range as unflushed. */
  private async stage(offset: number, data: Uint8Array): Promise<void> {
    const fh = await this.stagingFile();
    try {
      let done = 0;
      while (done < data.length) done += (await fh.write(data, done, data.length - done, offset + done)).bytesWritten;
    } catch (err) {
      throw fromNodeError(err, 'write');
    }
    this.dirty.add(offset, offset + data.length);
  }

  /** Makes stored but uncommitted chunks the base of a file of `size` bytes (the rest, if any, is staged next). */
  private adopt(refs: ChunkRef[], size: number): void {
    this.refs = refs;
    this.offsets = chunkOffsets(refs);
    this.baseLimit = this.offsets[refs.length]!;
    this.sizeNow = size;
    this.forgetChanges();
    this.changed(this.baseLimit, size);
  }

  /**
   * Another writer replaced the file's committed content (a streamed upload of the same path): a clean
   * file takes what is committed now (`committed()`, read under the lock, so a flush that committed in
   * between is not undone); unflushed writes stay, and their flush wins as the last writer.
   */
  resync(committed: () => { refs: ChunkRef[]; size: number } | null): Promise<void> {
    return this.lock.run(async () => {
      if (this.sink || this.isDirty) return;
      const now = committed();
      if (now) this.settle(now.refs, now.size);
    });
  }

  /** Makes `refs` (a file of `size` bytes) the whole content, with nothing unflushed. */
  private settle(refs: ChunkRef[], size: number): void {
    this.refs = refs;
    this.offsets = chunkOffsets(refs);
    this.baseLimit = this.sizeNow = size;
    this.forgetChanges();
    this.pendingMtime = null;
    this.pendingAttrs = {};
  }

  private forgetChanges(): void {
    this.dirty.clear();
    this.changedLo = Infinity;
    this.changedHi = -1;
  }

  /** After a failed store: drops the sink and every unflushed change, back to the committed content. */
  private async abandonSink(): Promise<void> {
    await this.sink?.drain().catch(() => undefined);
    this.sink = null;
    this.settle(this.refs, this.offsets[this.refs.length]!);
    this.releaseSinkWrite();
  }

  private releaseSinkWrite(): void {
    this.endSinkWrite?.();
    this.endSinkWrite = null;
  }

  /** Cuts the sink's last chunks: the file's whole new chunk list. */
  private async finishSink(sink: ChunkSink): Promise<ChunkRef[]> {
    let refs: ChunkRef[];
    try {
      refs = await sink.finish();
    } catch (err) {
      await this.abandonSink();
      throw err;
    }
    this.sink = null;
    this.adopt(refs, sink.size);
    return refs;
  }

  truncate(size: number): Promise<void> {
    return this.lock.run(async () => {
      if (size === this.sizeNow) {
        this.pendingMtime = this.deps.now();
        this.changed(size, size);
        return;
      }
      await this.spill();
      if (size < this.sizeNow) {
        this.dirty.cut(size);
        this.baseLimit = Math.min(this.baseLimit, size);
        await this.staging?.truncate(size);
      }
      this.changed(Math.min(size, this.sizeNow), Math.max(size, this.sizeNow));
      this.sizeNow = size;
      this.pendingMtime = this.deps.now();
    });
  }

  private changed(lo: number, hi: number): void {
    this.changedLo = Math.min(this.changedLo, lo);
    this.changedHi = Math.max(this.changedHi, hi);
  }

  private async stagingFile(): Promise<FileHandle> {
    if (!this.staging) {
      this.stagingPath = join(this.deps.stagingDir, `${this.ino}-${randomBytes(6).toString('hex')}`);
      try {
        this.staging = await openFs(this.stagingPath, 'w+', 0o600);
      } catch (err) {
        throw fromNodeError(err, 'write');
      }
    }
    return this.staging;
  }

  /** Chunks the changed range, stores it, and commits the new content; a no-op when clean. */
  flush(): Promise<void> {
    return this.lock.run(async () => {
      if (!this.isDirty) return;
      const endWrite = this.deps.store.beginWrite();
      let refs: ChunkRef[];
      try {
        refs = this.sink ? await this.finishSink(this.sink) : await this.rechunk();
        await this.deps.commit(this.ino, { refs, size: this.sizeNow, mtimeNs: this.pendingMtime ?? this.deps.now(), attrs: this.pendingAttrs });
      } finally {
        endWrite();
      }
      this.releaseSinkWrite();
      this.settle(refs, this.sizeNow);
      await this.staging?.truncate(0);
    });
  }

  /** The new chunk list: old chunks before the change, new ones across it, old ones again once boundaries resynchronise. */
  private async rechunk(): Promise<ChunkRef[]> {
    const oldSize = this.offsets[this.refs.length]!;
    const n = this.refs.length;
    const first = n === 0 ? 0 : chunkAt(this.offsets, Math.min(this.changedLo, oldSize - 1));
    const start = n === 0 ? 0 : this.offsets[first]!;
    const tailIntact = this.baseLimit === oldSize && this.sizeNow === oldSize;
    const boundaries = new Map<number, number>();
    if (tailIntact) for (let j = first + 1; j < n; j++) if (this.offsets[j]! >= this.changedHi) boundaries.set(this.offsets[j]!, j);

    const out: ChunkRef[] = this.refs.slice(0, first);
    const inflight: Array<Promise<void>> = [];
    let pos = start;
    let emittedTo = start;
    let resyncAt = -1;
    const chunker = this.deps.newChunker();
    const advance = (length: number) => {
      emittedTo += length;
      const j = boundaries.get(emittedTo);
      if (j !== undefined) resyncAt = j;
    };
    const emit = async (chunk: Buffer) => {
      const slot = out.length;
      out.push({ id: Buffer.alloc(0), length: chunk.length });
      const stored = this.deps.store.put(BlobType.Data, chunk).then((r) => {
        out[slot] = { id: r.id, length: chunk.length };
      });
      stored.catch(() => undefined); // awaited later; see storeStream
      inflight.push(stored);
      if (inflight.length >= MAX_INFLIGHT) await inflight.shift();
      advance(chunk.length);
    };
    // A hole (never written, beyond the old content) chunks into identical zero chunks: reuse one.
    let zero: ChunkRef | null = null;
    const skipHole = async () => {
      const zeros = this.deps.zeroChunk();
      while (resyncAt < 0 && this.isHole(pos, zeros.length)) {
        zero ??= { id: (await this.deps.store.put(BlobType.Data, zeros)).id, length: zeros.length };
        out.push(zero);
        pos += zeros.length;
        advance(zeros.length);
      }
    };
    try {
      while (pos < this.sizeNow && resyncAt < 0) {
        if (chunker.buffered === 0) {
          await skipHole();
          if (pos >= this.sizeNow || resyncAt >= 0) break;
        }
        const piece = joinParts(await this.readUnlocked(pos, Math.min(PIECE, this.sizeNow - pos)));
        pos += piece.length;
        for (const c of chunker.push(piece)) {
          await emit(c);
          if (resyncAt >= 0) break;
        }
      }
      if (resyncAt < 0) for (const c of chunker.finish()) await emit(c);
    } finally {
      await Promise.allSettled(inflight);
    }
    await Promise.all(inflight);
    if (resyncAt >= 0) out.push(...this.refs.slice(resyncAt));
    return out;
  }

  /** True when [pos, pos+length) lies in a hole: beyond the old content and never written. */
  private isHole(pos: number, length: number): boolean {
    return pos >= this.baseLimit && pos + length <= this.sizeNow && this.dirty.overlapping(pos, pos + length).length === 0;
  }

  /** The committed chunks (prune keeps them while the file is open, even once unlinked). */
  get committedRefs(): readonly ChunkRef[] {
    return this.refs;
  }

  /** Drops the staging file (after the last handle closed). */
  async dispose(): Promise<void> {
    await this.lock.run(async () => {
      if (this.sink) await this.abandonSink();
      this.releaseSinkWrite();
      await this.staging?.close().catch(() => undefined);
      if (this.stagingPath) await rm(this.stagingPath, { force: true });
      this.staging = null;
      this.stagingPath = null;
    });
  }
}
