// Pack backends: where pack files live. The local directory is the embedded default; an object
// store (S3) or an erasure-coded spread implements the same small interface.
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { writevSync } from 'node:fs';
import { join } from 'node:path';
import { fromNodeError } from '../errors.ts';

/** An append-only pack being written. Contract: append calls are issued in order; sync makes all appended bytes durable. */
export interface PackSink {
  append(...data: Buffer[]): Promise<void>;
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
  /** Reads `length` bytes at `offset` (fewer at the end of the pack), into the start of `into` when given. */
  read(packId: string, offset: number, length: number, into?: Buffer): Promise<Buffer>;
  size(packId: string): Promise<number>;
  ageSeconds(packId: string): Promise<number>;
  list(): Promise<string[]>;
  remove(packId: string): Promise<void>;
  close(): Promise<void>;
}

const MAX_OPEN_READERS = 64;

/**
 * Packs as files under `<dir>/<first two hex digits>/<id>`. Appends go through libuv's threads, so a
 * server's event loop serves requests while they copy into the page cache; with `blockingAppends` they
 * are synchronous writes instead, for a bulk import whose main thread has nothing else to do (its
 * appends would otherwise queue behind the import workers' zstd jobs on the same four threads).
 */
export class LocalPackBackend implements PackBackend {
  private readonly readers = new Map<string, Promise<FileHandle>>();

  constructor(private readonly dir: string, private readonly blockingAppends = false) {}

  private path(packId: string): string {
    return join(this.dir, packId.slice(0, 2), packId);
  }

  async create(packId: string): Promise<PackSink> {
    const sub = join(this.dir, packId.slice(0, 2));
    if ((await mkdir(sub, { recursive: true })) !== undefined) await syncDir(this.dir);
    const fh = await open(this.path(packId), 'wx');
    return new FileSink(fh, 0, sub, this.blockingAppends);
  }

  async reopen(packId: string, length: number): Promise<PackSink> {
    const fh = await open(this.path(packId), 'r+');
    await fh.truncate(length);
    return new FileSink(fh, length, null, this.blockingAppends);
  }

  private reader(packId: string): Promise<FileHandle> {
    let fh = this.readers.get(packId);
    if (!fh) {
      if (this.readers.size >= MAX_OPEN_READERS) {
        const [oldest, p] = this.readers.entries().next().value as [string, Promise<FileHandle>];
        this.readers.delete(oldest);
        void p.then((h) => h.close()).catch(() => undefined);
      }
      fh = open(this.path(packId), 'r');
      this.readers.set(packId, fh);
      fh.catch(() => this.readers.delete(packId));
    }
    return fh;
  }

  async read(packId: string, offset: number, length: number, into?: Buffer): Promise<Buffer> {
    try {
      const fh = await this.reader(packId);
      const buf = into ? into.subarray(0, length) : Buffer.allocUnsafe(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
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
    const fh = this.readers.get(packId);
    this.readers.delete(packId);
    if (fh) await (await fh).close().catch(() => undefined);
    const path = this.path(packId);
    const doomed = `${path}.deleted`;
    await rename(path, doomed);
    await rm(doomed, { force: true });
  }

  async close(): Promise<void> {
    const all = [...this.readers.values()];
    this.readers.clear();
    await Promise.all(all.map(async (p) => (await p).close().catch(() => undefined)));
  }
}

class FileSink implements PackSink {
  private dirSynced: boolean;
  constructor(private readonly fh: FileHandle, private pos: number, private readonly dir: string | null, private readonly blocking: boolean) {
    this.dirSynced = dir === null;
  }

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

  async truncate(length: number): Promise<void> {
    await this.fh.truncate(length);
    this.pos = length;
  }

  async sync(): Promise<void> {
    await this.fh.datasync();
    if (!this.dirSynced) {
      await syncDir(this.dir!);
      this.dirSynced = true;
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
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
