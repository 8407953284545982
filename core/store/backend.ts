// Pack backends: where pack files live. The local directory is the embedded default; an object
// store (S3) or an erasure-coded spread implements the same small interface.
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { constants, writevSync } from 'node:fs';
import { join } from 'node:path';
import { fromNodeError } from '../errors.ts';
import { DirectFileSink } from './direct-sink.ts';
import { blockFloor, directSpan, fitsDirectRead, openDirect, readDirect } from './direct-io.ts';

/** An append-only pack being written. Contract: append calls are issued in order; sync makes all appended bytes durable. */
export interface PackSink {
  append(...data: Buffer[]): Promise<void>;
  /** No more appends will come (the pack is sealed): the sink may write what it holds and free its memory before `sync`. */
  sealed(): Promise<void>;
  /** Cuts the pack back to `length` after a failed append (e.g. a full disk); appends continue there. */
  truncate(length: number): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** Stores pack files by id. Contract: a pack is readable by `read` as soon as its sink's `sync` resolved. */
export interface PackBackend {
  create(packId: string): Promise<PackSink>;
  /** Reopens an unsealed pack (after a crash) for appending at `length`, cutting anything after it. */
  reopen(packId: string, length: number): Promise<PackSink>;
  /**
   * Reads `length` bytes at `offset` (fewer at the end of the pack). With `into`, the bytes land in it
   * (the result is a view of it): page-aligned (BufferPool's are) with room for `directSpan(offset,
   * length)` lets a direct read fill it without a copy.
   */
  read(packId: string, offset: number, length: number, into?: Buffer): Promise<Buffer>;
  size(packId: string): Promise<number>;
  ageSeconds(packId: string): Promise<number>;
  list(): Promise<string[]>;
  remove(packId: string): Promise<void>;
  close(): Promise<void>;
}

const MAX_OPEN_READERS = 64;
/** A pack's key in the open readers: its id, or `<id>/direct` for the O_DIRECT one. */
const readerKey = (packId: string, direct: boolean): string => (direct ? `${packId}/direct` : packId);
/** Reads of at least this many bytes bypass the page cache (where O_DIRECT works): chunks of large files, not small files or trees. */
const DIRECT_READ_FROM = 128 * 1024;

/**
 * Packs as files under `<dir>/<first two hex digits>/<id>`. Appends go through libuv's threads, so a
 * server's event loop serves requests while they are written: with O_DIRECT in whole blocks
 * (direct-sink.ts) where the filesystem allows it, else into the page cache. With `blockingAppends`
 * they are synchronous writes into the page cache instead, for a bulk import whose main thread has
 * nothing else to do (its appends would otherwise queue behind the import workers' zstd jobs on the
 * same four threads).
 */
export class LocalPackBackend implements PackBackend {
  /** Open packs for reading, by id (and `<id>/direct` for O_DIRECT), the least recently opened first. */
  private readonly readers = new Map<string, Promise<FileHandle | null>>();
  /** Packs being appended with O_DIRECT: their last bytes are read from the sink's memory. */
  private readonly directSinks = new Map<string, DirectFileSink>();
  /** False once the filesystem refused O_DIRECT (or appends block): packs are written through the page cache. */
  private directWrites: boolean;
  /** False once the filesystem refused O_DIRECT: every read goes through the page cache. */
  private directReads: boolean;

  /** `directIo` false: no O_DIRECT at all (everything through the page cache). */
  constructor(private readonly dir: string, private readonly blockingAppends = false, directIo = true) {
    this.directWrites = directIo && !blockingAppends;
    this.directReads = directIo;
  }

  private path(packId: string): string {
    return join(this.dir, packId.slice(0, 2), packId);
  }

  async create(packId: string): Promise<PackSink> {
    const sub = join(this.dir, packId.slice(0, 2));
    if ((await mkdir(sub, { recursive: true })) !== undefined) await syncDir(this.dir);
    const fh = await open(this.path(packId), 'wx+');
    return (await this.directSink(packId, fh, sub, 0)) ?? new FileSink(fh, 0, syncDirOnce(sub), this.blockingAppends);
  }

  async reopen(packId: string, length: number): Promise<PackSink> {
    const fh = await open(this.path(packId), 'r+');
    await fh.truncate(length);
    return (await this.directSink(packId, fh, null, length)) ?? new FileSink(fh, length, syncDirOnce(null), this.blockingAppends);
  }

  /** A sink writing `fh`'s pack with O_DIRECT from `length` on; null when O_DIRECT is off or refused. */
  private async directSink(packId: string, fh: FileHandle, newIn: string | null, length: number): Promise<DirectFileSink | null> {
    if (!this.directWrites) return null;
    let direct: FileHandle | null;
    try {
      direct = await openDirect(this.path(packId), constants.O_WRONLY);
    } catch (err) {
      await fh.close();
      throw err;
    }
    if (!direct) {
      this.directWrites = false;
      return null;
    }
    const hooks = { synced: syncDirOnce(newIn), closed: () => this.directSinks.delete(packId) };
    const sink = await DirectFileSink.at(fh, direct, hooks, length).catch(async (err: unknown) => {
      await Promise.allSettled([fh.close(), direct!.close()]);
      throw err;
    });
    this.directSinks.set(packId, sink);
    return sink;
  }

  /** The pack opened for reading (with O_DIRECT when `direct`: null where the filesystem refuses it), kept open for the next reads. */
  private reader(packId: string, direct = false): Promise<FileHandle | null> {
    const key = readerKey(packId, direct);
    let fh = this.readers.get(key);
    if (!fh) {
      if (this.readers.size >= MAX_OPEN_READERS) {
        const [oldest, p] = this.readers.entries().next().value as [string, Promise<FileHandle | null>];
        this.readers.delete(oldest);
        void p.then((h) => h?.close()).catch(() => undefined);
      }
      fh = direct ? openDirect(this.path(packId), constants.O_RDONLY) : open(this.path(packId), 'r');
      this.readers.set(key, fh);
      fh.catch(() => this.readers.delete(key));
    }
    return fh;
  }

  /**
   * Reads pack bytes from the file into `buf` (a view of `aligned`, when given, at `offset`'s place in
   * its block): a large read with O_DIRECT, a small one through the page cache. Returns the count.
   */
  private async readFile(packId: string, offset: number, buf: Buffer, aligned: Buffer | null): Promise<number> {
    const length = buf.length;
    if (this.directReads && length >= DIRECT_READ_FROM && (aligned || fitsDirectRead(length))) {
      const fh = await this.reader(packId, true);
      if (fh) {
        try {
          return (await readDirect(fh, offset, length, aligned ? { aligned } : buf)).length;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err; // misaligned for this device: the page cache from now on
        }
      }
      this.directReads = false;
    }
    return (await (await this.reader(packId))!.read(buf, 0, length, offset)).bytesRead;
  }

  async read(packId: string, offset: number, length: number, into?: Buffer): Promise<Buffer> {
    try {
      const aligned = into && into.length >= directSpan(offset, length) ? into : null;
      const base = aligned ? offset - blockFloor(offset) : 0;
      const buf = into ? into.subarray(base, base + length) : Buffer.allocUnsafe(length);
      const sink = this.directSinks.get(packId);
      let fileEnd = offset + length;
      let staged = 0;
      if (sink && fileEnd > sink.stagedFrom) {
        // Copied before the file read is awaited: a block written meanwhile leaves the stage, not the file.
        staged = sink.copyStaged(offset, fileEnd, buf);
        fileEnd = Math.max(offset, sink.stagedFrom);
      }
      let bytesRead = 0;
      if (fileEnd > offset) bytesRead = await this.readFile(packId, offset, buf.subarray(0, fileEnd - offset), aligned);
      if (bytesRead === fileEnd - offset) bytesRead += staged;
      return bytesRead === length ? buf : buf.subarray(0, bytesRead);
    } catch (err) {
      throw fromNodeError(err, 'read', `pack ${packId}`);
    }
  }

  /** Seconds since the pack file was last modified. */
  async ageSeconds(packId: string): Promise<number> {
    return (Date.now() - (await stat(this.path(packId))).mtimeMs) / 1000;
  }

  async size(packId: string): Promise<number> {
    return (await stat(this.path(packId))).size;
  }

  async list(): Promise<string[]> {
    const out: string[] = [];
    for (const sub of await readdir(this.dir).catch(() => [] as string[])) {
      if (!/^[0-9a-f]{2}$/.test(sub)) continue;
      for (const name of await readdir(join(this.dir, sub))) if (/^[0-9a-f]{32}$/.test(name)) out.push(name);
    }
    return out.sort();
  }

  async remove(packId: string): Promise<void> {
    for (const key of [readerKey(packId, false), readerKey(packId, true)]) {
      const fh = this.readers.get(key);
      this.readers.delete(key);
      if (fh) await fh.then((h) => h?.close()).catch(() => undefined);
    }
    const path = this.path(packId);
    const doomed = `${path}.deleted`;
    await rename(path, doomed);
    await rm(doomed, { force: true });
  }

  async close(): Promise<void> {
    const all = [...this.readers.values()];
    this.readers.clear();
    await Promise.all(all.map((p) => p.then((h) => h?.close()).catch(() => undefined)));
  }
}

class FileSink implements PackSink {
  /** `dirSynced` runs after each fdatasync (syncDirOnce). */
  constructor(private readonly fh: FileHandle, private pos: number, private readonly dirSynced: () => Promise<void>, private readonly blocking: boolean) {}

  async append(...data: Buffer[]): Promise<void> {
    const total = data.reduce((n, b) => n + b.length, 0);
    let at = this.pos;
    this.pos += total;
    // Positional writes into the page cache; durability comes from sync() (fdatasync).
    let rest = data;
    while (rest.length > 0) {
      let written = this.blocking ? writevSync(this.fh.fd, rest, at) : (await this.fh.writev(rest, at)).bytesWritten;
      at += written;
      while (rest.length > 0 && written >= rest[0]!.length) written -= rest.shift()!.length;
      if (rest.length > 0 && written > 0) rest = [rest[0]!.subarray(written), ...rest.slice(1)];
    }
  }

  async sealed(): Promise<void> {}

  async truncate(length: number): Promise<void> {
    await this.fh.truncate(length);
    this.pos = length;
  }

  async sync(): Promise<void> {
    await this.fh.datasync();
    await this.dirSynced();
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/** For a sink's syncs: fsyncs `dir` (where a new pack was created) the first time, so its entry survives a crash; nothing for a reopened pack (null). */
function syncDirOnce(dir: string | null): () => Promise<void> {
  let done = dir === null;
  return async () => {
    if (done) return;
    await syncDir(dir!);
    done = true;
  };
}

/** fsyncs a directory so a new entry in it survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
