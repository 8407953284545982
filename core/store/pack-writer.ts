// Writes blobs into the current pack, append-only, one at a time; seals a pack with its index trailer when full.
import { randomBytes } from 'node:crypto';
import { fromNodeError } from '../errors.ts';
import { Mutex } from '../util/mutex.ts';
import type { PackBackend, PackSink } from './backend.ts';
import { BLOB_HEADER_BYTES, encodeBlobHeader, encodePackHeader, encodeTrailer, PACK_HEADER_BYTES, type BlobEntry } from './pack-format.ts';

/** A pack as the writer knows it: its id, bytes written, entries, and whether it is sealed. */
export interface PackState {
  packId: string;
  length: number;
  entries: BlobEntry[];
  sealed: boolean;
}

/** A pack's state at one sync: what the index records in `packs`. */
export interface PackSummary {
  packId: string;
  length: number;
  sealed: boolean;
  blobs: number;
}

/** Appends blobs to packs. Contract: calls are serialised internally; `sync` makes every completed append durable. */
export class PackWriter {
  private sink: PackSink | null = null;
  private current: PackState | null = null;
  private readonly lock = new Mutex();
  /** Packs written to since the last `takeTouched`. */
  private touched = new Map<string, PackState>();
  private sealedSinks: PackSink[] = [];
  /** Bytes appended to the open pack since its last sync. */
  private unsynced = false;

  constructor(private readonly backend: PackBackend, private readonly targetSize: number) {}

  /** The pack being appended to, if any. */
  get openPackId(): string | null {
    return this.current?.packId ?? null;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.run(fn);
  }

  /** Appends one blob (header + stored bytes); resolves with its entry once written (not yet synced). */
  append(entry: Omit<BlobEntry, 'offset'>, stored: Buffer): Promise<BlobEntry & { packId: string }> {
    return this.serial(async () => {
      if (!this.current || this.current.length + stored.length > this.targetSize) await this.rotate();
      const pack = this.current!;
      const full: BlobEntry = { ...entry, offset: pack.length };
      try {
        await this.sink!.append(encodeBlobHeader(full), stored);
      } catch (err) {
        // A partial record must not stay: cut back so offsets stay exact, and report the disk's error.
        await this.sink!.truncate(pack.length).catch(() => undefined);
        throw fromNodeError(err, 'write');
      }
      pack.length += BLOB_HEADER_BYTES + stored.length;
      this.unsynced = true;
      pack.entries.push(full);
      this.touched.set(pack.packId, pack);
      return { ...full, packId: pack.packId };
    });
  }

  private async rotate(): Promise<void> {
    if (this.current && this.current.entries.length > 0) await this.sealCurrent();
    if (this.current) return;
    const packId = randomBytes(16).toString('hex');
    this.sink = await this.backend.create(packId);
    await this.sink.append(encodePackHeader());
    this.current = { packId, length: PACK_HEADER_BYTES, entries: [], sealed: false };
  }

  private async sealCurrent(): Promise<void> {
    const pack = this.current!;
    await this.sink!.append(encodeTrailer(pack.entries));
    await this.sink!.sealed();
    pack.sealed = true;
    this.touched.set(pack.packId, pack);
    this.sealedSinks.push(this.sink!);
    this.current = null;
    this.sink = null;
  }

  /**
   * Makes every completed append durable (fsync), including packs sealed since the last sync, and
   * returns the state of each pack written since the previous sync, as of that moment.
   */
  async sync(): Promise<PackSummary[]> {
    // The state is taken under the lock, the fsyncs run outside it: appends go on meanwhile (an fsync
    // covers everything written before it, so what it reports is durable when it returns).
    const { sealed, open, touched, out } = await this.serial(async () => {
      const taken = {
        sealed: this.sealedSinks,
        open: this.unsynced ? this.sink : null,
        touched: this.touched,
        out: [...this.touched.values()].map((p) => ({ packId: p.packId, length: p.length, sealed: p.sealed, blobs: p.entries.length })),
      };
      this.sealedSinks = [];
      this.unsynced = false;
      this.touched = new Map();
      return taken;
    });
    try {
      for (const s of sealed) await s.sync();
      await open?.sync();
    } catch (err) {
      // Not durable after all: the next sync must try these packs again.
      await this.serial(async () => {
        this.sealedSinks.unshift(...sealed);
        if (open) this.unsynced = true;
        for (const [id, p] of touched) if (!this.touched.has(id)) this.touched.set(id, p);
      });
      throw err;
    }
    for (const s of sealed) await s.close();
    return out;
  }

  /** Seals the open pack (if it holds anything) so nothing is left unsealed, then syncs. */
  async sealAndSync(): Promise<PackSummary[]> {
    await this.serial(async () => {
      if (this.current && this.current.entries.length > 0) await this.sealCurrent();
    });
    return this.sync();
  }

  /** Removes an empty open pack; call after the last sealAndSync. */
  async close(): Promise<void> {
    await this.serial(async () => {
      if (this.current && this.current.entries.length === 0) {
        await this.sink!.close();
        await this.backend.remove(this.current.packId).catch(() => undefined);
        this.current = null;
        this.sink = null;
      }
    });
  }
}

/** Bytes a blob of `storedLength` occupies in a pack. */
export function recordBytes(storedLength: number): number {
  return BLOB_HEADER_BYTES + storedLength;
}
