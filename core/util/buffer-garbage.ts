// Prompt collection of large short-lived buffers, and a smaller heap for one-shot bulk work.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { type: 'minor' }) => void;
let collect: Collect | undefined;

/** V8's own collector, which Node exposes only behind a flag: set it (process-wide), then take `gc` from a fresh context. */
function collector(): Collect {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as Collect;
  }
  return collect;
}

/**
 * Counts bytes of buffers a thread drops and runs a young-generation collection every `every` bytes.
 * V8 collects on the number of JS objects allocated, or once 64 MiB of buffer memory has accumulated
 * since the last full collection. A thread that passes chunks along allocates megabytes of buffers per
 * few hundred bytes of objects, so its dead chunks pile up to those 64 MiB, in every such thread. A young
 * collection frees the ones that died since the last; it costs well under a millisecond here.
 */
export class BufferGarbage {
  private pending = 0;
  private readonly collect = collector();

  constructor(private readonly every: number) {}

  /** Notes `bytes` of buffers that are, or are about to be, garbage. */
  add(bytes: number): void {
    this.pending += bytes;
    if (this.pending < this.every) return;
    this.pending = 0;
    this.collect({ type: 'minor' });
  }
}

/**
 * Tells V8 to favour memory over speed in this process: its heap then grows by smaller steps between full
 * collections (otherwise up to four times what survived the last one). For one-shot commands such as
 * `strata import`, whose main thread makes much short-lived garbage per small file; a server keeps the default.
 */
export function preferSmallHeap(): void {
  setFlagsFromString('--optimize-for-size');
}
