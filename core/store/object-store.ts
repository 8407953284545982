// Content-addressed object store: dedups blobs by id, appends new ones to packs, indexes them in LMDB.
import { CorruptionError, fromNodeError, unwrapCommitError } from '../errors.ts';
import type { MetaDb } from '../meta/db.ts';
import type { PackBackend } from './backend.ts';
import { BlobCache, escape, pinnedPiece, pooled, unpooled, type CachedBlob } from './blob-cache.ts';
import { BufferPool } from './buffer-pool.ts';
import type { BlobCodec, EncodedBlob } from './blob-codec.ts';
import { hex } from './hash.ts';
import { decodeLocation, encodeLocation, type BlobLocation } from './location.ts';
import { BLOB_HEADER_BYTES, decodeBlobHeader, type BlobType } from './pack-format.ts';
import { PackWriter, type PackSummary } from './pack-writer.ts';
import { directSpan } from './direct-io.ts';

/** A commit waiting for its group. */
interface CommitRequest {
  mutate?: () => void;
  seal: boolean;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** A read of a blob in progress, and what its waiters will do with it once read. */
interface Loading {
  blob: Promise<CachedBlob>;
  /** Pieces to be pinned for waiters. */
  pins: number;
  /** A waiter keeps the whole blob. */
  escapes: boolean;
}

/** What a caller of `find` does with the blob: takes a piece (pinned), keeps it whole, or only warms the cache. */
type Use = 'piece' | 'whole' | 'warm';

/** The outcome of storing one blob. */
export interface PutResult {
  id: Buffer;
  /** False when the blob was already stored (deduplicated). */
  added: boolean;
  storedLength: number;
}

/**
 * Stores and loads blobs. Contract: a blob returned by `put` is readable at once by this process,
 * and becomes durable and visible in the index with the next `commit`, which writes pack bytes
 * durably before the metadata that references them.
 */
export class ObjectStore {
  private readonly writer: PackWriter;
  private readonly cache = new BlobCache(64 * 1024 * 1024);
  /** Buffers for pack reads: cached blobs go back here once evicted and released (see blob-cache.ts). */
  private readonly pool = new BufferPool(32 * 1024 * 1024);
  private readonly inflight = new Map<string, Promise<PutResult>>();
  private readonly reading = new Map<string, Loading>();
  private pending = new Map<string, { id: Buffer; loc: BlobLocation }>();
  private readonly commitQueue: CommitRequest[] = [];
  private committing = false;
  /** Wakes the commit loop while it waits on a round with nothing queued (see drainCommits). */
  private wakeCommits: (() => void) | null = null;
  /** Batches whose index entries are being committed: still found by locate(), so nothing is stored twice meanwhile. */
  private readonly committingBatches = new Set<Map<string, { id: Buffer; loc: BlobLocation }>>();
  /** Blobs prune is about to delete: puts store them again instead of deduplicating against them. */
  private condemned: Set<string> | null = null;
  /** Every id put since the last moment no write was in progress: prune must keep them. */
  private readonly recent = new Set<string>();
  private writers = 0;

  constructor(
    readonly db: MetaDb,
    readonly backend: PackBackend,
    readonly codec: BlobCodec,
    packTargetSize: number,
  ) {
    this.writer = new PackWriter(backend, packTargetSize);
  }

  /** The blob's location, from uncommitted puts or the index; undefined when unknown. */
  locate(id: Buffer): BlobLocation | undefined {
    const key = hex(id);
    const p = this.pending.get(key);
    if (p) return p.loc;
    for (const b of this.committingBatches) {
      const c = b.get(key);
      if (c) return c.loc;
    }
    const v = this.db.blobs.get(id);
    return v ? decodeLocation(v) : undefined;
  }

  /** True when the blob is stored (committed or pending). */
  has(id: Buffer): boolean {
    return this.locate(id) !== undefined;
  }

  /**
   * Stores `raw` as a blob of `type` unless a blob with the same id exists; `id` when the caller computed
   * it already (a worker thread). A put that will be referenced by a later commit must run inside a
   * write bracket (`beginWrite`) if a prune may start in this process before that commit.
   */
  put(type: BlobType, raw: Buffer, id = this.codec.hasher.id(raw)): Promise<PutResult> {
    return this.admit(type, id, () => this.codec.encode(type, id, raw));
  }

  /**
   * Stores a blob that a worker thread encoded already (with this archive's codec) unless a blob with
   * the same id exists (then the encoded copy is dropped).
   */
  putEncoded(type: BlobType, enc: EncodedBlob): Promise<PutResult> {
    return this.admit(type, enc.id, () => Promise.resolve(enc));
  }

  /**
   * Records a use of blob `id`, which a worker found in the index (or sent encoded just before) and so
   * did not send: fails with EIO if it is neither stored, pending nor being stored, or prune is about
   * to delete it (a prune cannot start while `strata import` has the archive open).
   */
  putKnown(type: BlobType, id: Buffer): Promise<PutResult> {
    return this.admit(type, id, () => Promise.reject(new CorruptionError(hex(id), 'expected in the store (the import worker found it), but it is gone')));
  }

  /** Deduplicates blob `id` against stored, pending and in-flight ones; otherwise encodes it with `encode` and appends it. */
  private admit(type: BlobType, id: Buffer, encode: () => Promise<EncodedBlob>): Promise<PutResult> {
    const key = hex(id);
    // Outside a write bracket and with no prune running there is nothing to protect (and a bulk
    // import, which puts outside brackets, would otherwise grow this set by every chunk it stores).
    if (this.writers > 0 || this.condemned !== null) this.recent.add(key);
    const known = this.condemned?.has(key) && !this.pending.has(key) ? undefined : this.locate(id);
    if (known) return Promise.resolve({ id, added: false, storedLength: known.storedLength });
    const running = this.inflight.get(key);
    if (running) return running.then((r) => ({ ...r, added: false }));
    const job = this.store(type, id, key, encode);
    this.inflight.set(key, job);
    return job.finally(() => this.inflight.delete(key));
  }

  private async store(type: BlobType, id: Buffer, key: string, encode: () => Promise<EncodedBlob>): Promise<PutResult> {
    const enc = await encode();
    const e = await this.writer.append({ type, compression: enc.compression, rawLength: enc.rawLength, storedLength: enc.stored.length, id }, enc.stored)
      .catch((err: unknown) => {
        throw fromNodeError(err, 'write');
      });
    const loc: BlobLocation = { packId: e.packId, offset: e.offset, storedLength: e.storedLength, rawLength: e.rawLength, type, compression: e.compression };
    this.pending.set(key, { id, loc });
    return { id, added: true, storedLength: enc.stored.length };
  }

  /**
   * Brackets a write that puts blobs and commits references to them later; returns the function
   * that ends it. Prune keeps every blob put since the last moment no write was open.
   */
  beginWrite(): () => void {
    this.writers++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.writers--;
      if (this.writers === 0 && this.condemned === null) this.recent.clear();
    };
  }

  /** Ids put during writes still open (or since prune began); prune must not delete these. */
  recentlyPut(): ReadonlySet<string> {
    return this.recent;
  }

  /** Marks blobs as about to be deleted (null ends it): from now on puts of these store a fresh copy. */
  condemn(ids: Set<string> | null): void {
    this.condemned = ids;
    if (ids === null && this.writers === 0) this.recent.clear();
  }

  /** Copies a blob's stored record into the current pack unchanged (repacking); indexed at the next commit. */
  async copyBlob(id: Buffer, loc: BlobLocation): Promise<void> {
    const rec = await this.backend.read(loc.packId, loc.offset + BLOB_HEADER_BYTES, loc.storedLength);
    if (rec.length !== loc.storedLength) throw new CorruptionError(hex(id), `pack ${loc.packId} is truncated`);
    const e = await this.writer.append({ type: loc.type, compression: loc.compression, rawLength: loc.rawLength, storedLength: loc.storedLength, id }, rec);
    this.pending.set(hex(id), { id, loc: { ...loc, packId: e.packId, offset: e.offset } });
  }

  /** The pack this process is appending to, if any. */
  openPackId(): string | null {
    return this.writer.openPackId;
  }

  /** Reads blob `id`; throws CorruptionError (EIO) when it is missing or its bytes are not exactly it. */
  get(id: Buffer): Promise<Buffer> {
    return this.find(id, 'whole').then((b) => b.value);
  }

  /**
   * Bytes [from, to) of blob `id`, read like `get`, lent rather than given: pass the piece to
   * `releasePiece` (blob-cache.ts) once it is no longer read, so its memory serves later reads. A
   * piece never released is simply left to the garbage collector.
   */
  piece(id: Buffer, from: number, to: number): Promise<Buffer> {
    return this.find(id, 'piece').then((b) => pinnedPiece(b, from, to));
  }

  /** Reads blob `id` into the cache, if it is not there, for a `piece` or `get` soon. */
  prefetch(id: Buffer): void {
    this.find(id, 'warm').catch(() => undefined);
  }

  /** Buffer and pool counts, for tests and benchmarks. */
  poolStats(): ReturnType<BufferPool['stats']> {
    return this.pool.stats();
  }

  /** The blob from the cache or the pack, with `use` applied at once (so no eviction intervenes). */
  private find(id: Buffer, use: Use): Promise<CachedBlob> {
    const key = hex(id);
    const hit = this.cache.get(key);
    if (hit) {
      if (use === 'piece') hit.pins++;
      else if (use === 'whole') escape(hit);
      return Promise.resolve(hit);
    }
    // Concurrent readers of one blob (read-ahead pieces that share a chunk) wait for one read.
    let loading = this.reading.get(key);
    if (!loading) {
      const loc = this.locate(id);
      if (!loc) return Promise.reject(new CorruptionError(key, 'missing from the index'));
      const job = { pins: 0, escapes: false } as Loading;
      // Settled in one step: the waiters' uses are applied before the cache can evict the blob, and a
      // later caller finds it in the cache, not here.
      job.blob = this.load(id, loc).then(
        (blob) => {
          this.reading.delete(key);
          blob.pins += job.pins;
          if (job.escapes) escape(blob);
          this.cache.set(key, blob);
          return blob;
        },
        (err: unknown) => {
          this.reading.delete(key);
          throw err;
        },
      );
      this.reading.set(key, (loading = job));
    }
    if (use === 'piece') loading.pins++;
    else if (use === 'whole') loading.escapes = true;
    return loading.blob;
  }

  /** Reads and checks a blob at a known location, bypassing the cache (verify uses this). */
  async readAt(id: Buffer, loc: BlobLocation): Promise<Buffer> {
    return (await this.load(id, loc, false)).value;
  }

  /** Reads and checks a blob, into a pooled buffer when `pool` and its size is pooled; the buffer goes back at once when the blob's bytes are elsewhere. */
  private async load(id: Buffer, loc: BlobLocation, pool = true): Promise<CachedBlob> {
    const key = hex(id);
    const length = BLOB_HEADER_BYTES + loc.storedLength;
    const backing = pool && this.pool.pools(length) ? this.pool.take(directSpan(loc.offset, length)) : null;
    let rec: Buffer;
    try {
      rec = await this.backend.read(loc.packId, loc.offset, length, backing ?? undefined);
    } catch {
      if (backing) this.pool.give(backing);
      throw new CorruptionError(key, `pack ${loc.packId} cannot be read`);
    }
    let value: Buffer;
    try {
      const header = decodeBlobHeader(rec);
      if (!header || !header.id.equals(id) || rec.length !== length) {
        throw new CorruptionError(key, `pack ${loc.packId} holds no such blob at offset ${loc.offset}`);
      }
      value = await this.codec.decode(loc.type, id, rec.subarray(BLOB_HEADER_BYTES), loc.compression, loc.rawLength);
    } catch (err) {
      if (backing) this.pool.give(backing);
      throw err;
    }
    if (!backing) return unpooled(value);
    // Stored plain, the blob is a view of the pooled buffer; decompressed or decrypted, it is a buffer of its own.
    if (value.buffer === backing.buffer) return pooled(value, backing, this.pool);
    this.pool.give(backing);
    return unpooled(value);
  }

  /**
   * Makes every put so far durable and indexed: syncs the packs, then runs one LMDB transaction
   * that writes the new index entries, the pack records and whatever `mutate` adds.
   */
  commit(mutate?: () => void, seal = false): Promise<void> {
    return new Promise((resolve, reject) => {
      this.commitQueue.push({ mutate, seal, resolve, reject });
      if (!this.committing) void this.drainCommits();
      else this.wakeCommits?.();
    });
  }

  /**
   * Group commit, in two overlapping stages: every commit requested while a round syncs the packs
   * waits for the next round; a round's LMDB transactions are issued once its pack sync is done, and
   * the next round's pack sync starts while they commit, as soon as a commit is requested. lmdb-js
   * commits transactions in the order they are issued, each callback's outcome (and failure) its own.
   * Every index transaction also re-writes the entries of earlier rounds not yet known committed, so
   * a later round that commits never refers to blobs whose entries a failed earlier round lost.
   */
  private async drainCommits(): Promise<void> {
    this.committing = true;
    const rounds = new Set<Promise<void>>();
    while (this.commitQueue.length > 0) {
      const group = this.commitQueue.splice(0);
      const batch = this.pending;
      this.pending = new Map();
      this.committingBatches.add(batch);
      let packs: PackSummary[];
      try {
        packs = group.some((c) => c.seal) ? await this.writer.sealAndSync() : await this.writer.sync();
      } catch (err) {
        this.uncommit(batch);
        group.forEach((c) => c.reject(fromNodeError(err, 'fsync')));
        continue;
      }
      const round = this.commitRound(group, batch, packs);
      rounds.add(round);
      void round.then(() => rounds.delete(round));
      // With nothing else waiting, let this round finish before the loop looks again, unless a commit
      // arrives first: its pack sync then overlaps this round's transaction instead of waiting for it.
      if (this.commitQueue.length === 0) {
        await Promise.race([round, new Promise<void>((wake) => (this.wakeCommits = wake))]);
        this.wakeCommits = null;
      }
    }
    await Promise.all(rounds);
    this.committing = false;
    // A commit requested while the last rounds finished found the loop still running: start again.
    if (this.commitQueue.length > 0) void this.drainCommits();
  }

  /** Issues one round's transactions (its pack sync is done) and settles every member of `group`. */
  private async commitRound(group: CommitRequest[], batch: Map<string, { id: Buffer; loc: BlobLocation }>, packs: PackSummary[]): Promise<void> {
    const { blobs, packs: packDb } = this.db;
    const unconfirmed = [...this.committingBatches];
    let index: Promise<unknown>;
    let results: Array<Promise<unknown>>;
    try {
      index = this.db.env.transaction(() => {
        for (const b of unconfirmed) for (const { id, loc } of b.values()) blobs.put(id, encodeLocation(loc));
        for (const p of packs) packDb.put(Buffer.from(p.packId, 'hex'), { sealed: p.sealed, length: p.length, blobs: p.blobs, writer: process.pid });
      });
      results = group.map((c) => this.db.env.transaction(() => c.mutate?.()));
    } catch (err) {
      this.uncommit(batch);
      group.forEach((c) => c.reject(fromNodeError(err, 'commit')));
      return;
    }
    try {
      await index;
    } catch (err) {
      this.uncommit(batch);
      await Promise.allSettled(results);
      const cause = fromNodeError(await unwrapCommitError(err), 'commit');
      group.forEach((c) => c.reject(cause));
      return;
    }
    for (const b of unconfirmed) this.committingBatches.delete(b);
    const settled = await Promise.allSettled(results);
    // lmdb-js resolves at commit and syncs just after (overlappingSync): a commit is acknowledged only
    // once on disk, so a machine crash cannot take back what a close or fsync was told is durable.
    await this.db.env.flushed;
    for (const [i, r] of settled.entries()) {
      if (r.status === 'fulfilled') group[i]!.resolve();
      else group[i]!.reject(fromNodeError(await unwrapCommitError(r.reason), 'commit'));
    }
  }

  /** A round failed: its blobs go back to pending, for the next commit to index. */
  private uncommit(batch: Map<string, { id: Buffer; loc: BlobLocation }>): void {
    this.committingBatches.delete(batch);
    for (const [k, v] of batch) if (!this.pending.has(k)) this.pending.set(k, v);
  }

  /** Seals the open pack, commits, and closes pack files. */
  async close(): Promise<void> {
    await this.commit(undefined, true);
    await this.writer.close();
    await this.backend.close();
  }
}
