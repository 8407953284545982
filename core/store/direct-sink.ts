// A pack sink that writes whole blocks with O_DIRECT, so a large upload's bytes go from our memory to
// the disk without being copied into the page cache (that copy into new page-cache pages was the
// largest single cost of a 1 GiB upload: docs/BENCHMARKS.md, session 18). The bytes of the last,
// partial block wait in memory; reads of them come from there (`copyStaged`), and `sync` writes them
// through the page cache before the fdatasync.
import type { FileHandle } from 'node:fs/promises';
import { Mutex } from '../util/mutex.ts';
import type { PackSink } from './backend.ts';
import { AlignedBuffers, BLOCK, blockFloor } from './direct-io.ts';

/** The staging buffer: appends fill it, whole blocks leave it. */
const STAGE_BYTES = 4 * 1024 * 1024;
/** After an append, whole blocks are written once this much is staged (small appends gather first). */
const WRITE_FROM = 1024 * 1024;
/** Stages of sealed and closed sinks, for the next packs (a process appends to one or two at a time). */
const stages = new AlignedBuffers(STAGE_BYTES, Infinity);

/** What the backend hears from a sink. */
export interface SinkHooks {
  /** Runs after each fdatasync (a new pack's directory entry is synced once). */
  synced(): Promise<void>;
  /** The sink is closing: its bytes are all in the file. */
  closed(): void;
}

/** An append-only pack written in whole blocks with O_DIRECT; its partial last block stays staged in memory until `sync` or `sealed`. */
export class DirectFileSink implements PackSink {
  private readonly lock = new Mutex();
  /** Null once sealed or closed: every byte is in the file then. */
  private stage: Buffer | null = null;
  /** File offset of stage[0]: block-aligned; everything before it is in the file. */
  private stageStart: number;
  private stageLength = 0;
  /** The device refused an O_DIRECT write as misaligned: this pack goes through the page cache. */
  private directRefused = false;

  /**
   * `fh` is the pack opened for buffered reads and writes, `direct` the same file opened with O_DIRECT;
   * the pack's bytes end at `length`.
   */
  private constructor(private readonly fh: FileHandle, private readonly direct: FileHandle, private readonly hooks: SinkHooks, length: number) {
    this.stageStart = blockFloor(length);
  }

  /** A sink appending at `length` (the pack's bytes before it are in the file). */
  static async at(fh: FileHandle, direct: FileHandle, hooks: SinkHooks, length: number): Promise<DirectFileSink> {
    const sink = new DirectFileSink(fh, direct, hooks, length);
    sink.stage = await stages.take();
    await sink.restage(length);
    return sink;
  }

  /** Offset from which the pack's bytes are (also) in memory: reads at or past it must take them from `copyStaged`. */
  get stagedFrom(): number {
    return this.stage ? this.stageStart : Infinity;
  }

  /**
   * Copies the staged bytes in [from, to) of the pack into `into`, which holds the pack from `from` on;
   * returns how many (fewer when the pack ends before `to`). Synchronous, so it sees one consistent state.
   */
  copyStaged(from: number, to: number, into: Buffer): number {
    const start = Math.max(from, this.stageStart);
    const end = Math.min(to, this.stageStart + this.stageLength);
    if (!this.stage || end <= start) return 0;
    return this.stage.copy(into, start - from, start - this.stageStart, end - this.stageStart);
  }

  private staged(): Buffer {
    if (!this.stage) throw Object.assign(new Error('append to a sealed pack'), { code: 'EBADF' });
    return this.stage;
  }

  append(...data: Buffer[]): Promise<void> {
    return this.lock.run(async () => {
      const stage = this.staged();
      for (const d of data) {
        for (let off = 0; off < d.length; ) {
          const n = Math.min(d.length - off, STAGE_BYTES - this.stageLength);
          stage.set(d.subarray(off, off + n), this.stageLength);
          this.stageLength += n;
          off += n;
          if (this.stageLength === STAGE_BYTES) await this.writeBlocks(stage);
        }
      }
      if (this.stageLength >= WRITE_FROM) await this.writeBlocks(stage);
    });
  }

  /** Writes the staged whole blocks with O_DIRECT and keeps the partial one staged. */
  private async writeBlocks(stage: Buffer): Promise<void> {
    const whole = blockFloor(this.stageLength);
    for (let done = 0; done < whole; ) {
      done += await this.writeWhole(stage, done, whole - done, this.stageStart + done);
    }
    this.dropWholeBlocks(stage);
  }

  /** Drops the staged whole blocks (they are in the file now), keeping the partial last one staged. */
  private dropWholeBlocks(stage: Buffer): void {
    const whole = blockFloor(this.stageLength);
    stage.copyWithin(0, whole, this.stageLength);
    this.stageStart += whole;
    this.stageLength -= whole;
  }

  /** Writes whole blocks with O_DIRECT; through the page cache from the first EINVAL on (a device whose blocks are larger than BLOCK). */
  private async writeWhole(stage: Buffer, from: number, length: number, at: number): Promise<number> {
    if (!this.directRefused) {
      try {
        const { bytesWritten } = await this.direct.write(stage, from, length, at);
        if (bytesWritten <= 0 || bytesWritten % BLOCK !== 0) throw Object.assign(new Error('short O_DIRECT write'), { code: 'EIO' });
        return bytesWritten;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
        this.directRefused = true;
      }
    }
    return (await this.fh.write(stage, from, length, at)).bytesWritten;
  }

  /**
   * Writes every staged byte through the page cache, so the file holds every append; the partial last
   * block stays staged. Less than WRITE_FROM is staged here (append sends more out with O_DIRECT), and
   * one buffered write before the fdatasync costs less than an O_DIRECT write of the whole blocks
   * followed by a buffered one of the rest: a small file's commit waited for both.
   */
  private async writeAll(): Promise<void> {
    const stage = this.stage;
    if (!stage) return;
    for (let done = 0; done < this.stageLength; ) done += (await this.fh.write(stage, done, this.stageLength - done, this.stageStart + done)).bytesWritten;
    this.dropWholeBlocks(stage);
  }

  /** Writes everything and gives the stage back: reads come from the file from now on. */
  private async unstage(): Promise<void> {
    await this.writeAll();
    if (this.stage) stages.give(this.stage);
    this.stage = null;
  }

  sealed(): Promise<void> {
    return this.lock.run(() => this.unstage());
  }

  truncate(length: number): Promise<void> {
    return this.lock.run(async () => {
      await this.fh.truncate(length);
      if (this.stage) await this.restage(length);
    });
  }

  /** Makes the stage hold the pack's partial last block, for a pack ending at `length`. */
  private async restage(length: number): Promise<void> {
    const stage = this.staged();
    if (length >= this.stageStart && length <= this.stageStart + this.stageLength) {
      this.stageLength = length - this.stageStart;
      return;
    }
    this.stageStart = blockFloor(length);
    this.stageLength = 0;
    while (this.stageLength < length - this.stageStart) {
      const { bytesRead } = await this.fh.read(stage, this.stageLength, length - this.stageStart - this.stageLength, this.stageStart + this.stageLength);
      if (bytesRead === 0) throw Object.assign(new Error('pack shorter than its recorded length'), { code: 'EIO' });
      this.stageLength += bytesRead;
    }
  }

  sync(): Promise<void> {
    return this.lock.run(async () => {
      await this.writeAll();
      await this.fh.datasync();
      await this.hooks.synced();
    });
  }

  close(): Promise<void> {
    return this.lock.run(async () => {
      try {
        await this.unstage();
      } finally {
        this.hooks.closed();
        await Promise.allSettled([this.direct.close(), this.fh.close()]);
      }
    });
  }
}
