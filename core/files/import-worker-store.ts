// Stores local files through the chunking workers: every chunk a worker cuts is put into the object store here, a bounded window at a time.
import type { ChunkRef } from '../meta/inode.ts';
import type { ObjectStore, PutResult } from '../store/object-store.ts';
import { BlobType } from '../store/pack-format.ts';
import { BufferGarbage } from '../util/buffer-garbage.ts';
import type { StoredContent } from './content.ts';
import type { ArrivedChunk, ChunkingPool } from './import-worker-pool.ts';

const NO_ID = Buffer.alloc(0);
/** Chunk bytes stored between young collections: a stored chunk's buffer is garbage. */
const COLLECT_EVERY_BYTES = 16 * 1024 * 1024;

/**
 * Puts chunks into the store in arrival order, a window at a time: at most `windowBytes` of chunks (and
 * `maxPuts` chunks) being stored, but always at least one. The window bounds the compressed and sealed
 * copies held, and the compression queued ahead of pack writes on libuv's threads; small chunks are
 * cheap, so many go at once.
 */
export class ChunkStorer {
  private running = 0;
  private runningBytes = 0;
  private readonly waiting: Array<{ bytes: number; wake: () => void }> = [];
  private readonly garbage = new BufferGarbage(COLLECT_EVERY_BYTES);

  constructor(
    private readonly store: ObjectStore,
    private readonly pool: ChunkingPool,
    private readonly windowBytes: number,
    private readonly maxPuts: number,
  ) {}

  /** Chunks the file at `path` (about `sizeHint` bytes) in a worker and stores its chunks; resolves once all are stored. */
  async storeFile(path: string, sizeHint: number): Promise<StoredContent> {
    const refs: ChunkRef[] = [];
    const puts: Array<Promise<void>> = [];
    let addedBytes = 0;
    let size: number;
    try {
      size = await this.pool.chunkFile(path, sizeHint, (chunk) => {
        const ref: ChunkRef = { id: NO_ID, length: chunk.form.rawLength };
        refs.push(ref);
        const stored = this.put(chunk).then((r) => {
          ref.id = r.id;
          if (r.added) addedBytes += r.storedLength;
        });
        stored.catch(() => undefined); // awaited below; a failure before then must not be an unhandled rejection
        puts.push(stored);
      });
    } finally {
      await Promise.allSettled(puts);
    }
    await Promise.all(puts);
    return { refs, size, addedBytes };
  }

  /** Puts one chunk once the window has room for it. */
  private async put(chunk: ArrivedChunk): Promise<PutResult> {
    const bytes = chunk.bytes.length;
    if (this.waiting.length === 0 && this.fits(bytes)) this.enter(bytes);
    else await new Promise<void>((wake) => this.waiting.push({ bytes, wake }));
    try {
      const { id, form } = chunk;
      return await ('known' in form
        ? this.store.putKnown(BlobType.Data, id)
        : this.store.putEncoded(BlobType.Data, { id, stored: chunk.bytes, compression: form.compression, rawLength: form.rawLength }));
    } finally {
      this.garbage.add(bytes);
      this.running--;
      this.runningBytes -= bytes;
      this.pool.release(bytes);
      // Admit waiting chunks in order; each enters before it wakes, so nothing overtakes it.
      for (let w = this.waiting[0]; w && this.fits(w.bytes); w = this.waiting[0]) {
        this.waiting.shift();
        this.enter(w.bytes);
        w.wake();
      }
    }
  }

  private fits(bytes: number): boolean {
    return this.running === 0 || (this.running < this.maxPuts && this.runningBytes + bytes <= this.windowBytes);
  }

  private enter(bytes: number): void {
    this.running++;
    this.runningBytes += bytes;
  }
}
