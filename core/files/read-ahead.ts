// Sequential read-ahead: while a reader moves forward through a file, the next chunks are fetched
// (read, checked, decompressed) into the store's cache before they are asked for.
import type { ChunkRef } from '../meta/inode.ts';
import type { ObjectStore } from '../store/object-store.ts';
import { chunkAt } from './content.ts';

/** Bytes fetched ahead of a sequential reader (well under the store's cache, so they stay there until read). */
const WINDOW = 16 * 1024 * 1024;

/** Tracks one file's reader position and fetches ahead when reads follow each other. */
export class ReadAhead {
  private expected = -1;
  /** Chunks of `refs` before this index have been fetched or asked for. */
  private fetchedTo = 0;
  private refs: ChunkRef[] | null = null;

  constructor(private readonly store: ObjectStore) {}

  /**
   * Notes a read of [offset, offset + length) of the file made of `refs`; when it continues the last one,
   * fetches ahead once `read` (that read's own chunks) has settled, so the reader is served first.
   */
  noteRead(refs: ChunkRef[], offsets: number[], offset: number, length: number, read: Promise<unknown>): void {
    const end = Math.min(offset + length, offsets[refs.length]!);
    const sequential = offset === this.expected && refs === this.refs;
    this.expected = end;
    if (!sequential) {
      this.refs = refs;
      this.fetchedTo = 0;
      return;
    }
    const until = end + Math.max(WINDOW, 2 * length);
    const from = Math.max(this.fetchedTo, chunkAt(offsets, end));
    let to = from;
    while (to < refs.length && offsets[to]! < until) to++;
    this.fetchedTo = to;
    const fetch = () => {
      for (let i = from; i < to; i++) this.store.prefetch(refs[i]!.id);
    };
    read.then(fetch, fetch);
  }
}
