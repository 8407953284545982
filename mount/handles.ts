// Open files of the mount: FUSE file handles (small integers, never 0) mapped to VfsFile objects, and
// the closes that release started and that still commit in the background.
import { VfsError } from '../core/errors.ts';
import { isWithin } from '../core/vfs/path.ts';
import type { VfsFile } from '../core/vfs/types.ts';

/** Background closes (mount/ops/files.ts, release) beyond which a release waits for one to finish. */
const MAX_CLOSING = 64;

/** The table of open files; fuse-native treats handle 0 as "none", so numbering starts at 1. */
export class HandleTable {
  private readonly files = new Map<number, VfsFile>();
  private next = 1;
  /** Closes started by `closeLater` and not finished, with the path each file had at release. */
  private readonly closing = new Map<Promise<void>, string>();

  /** Stores `file` and returns its new handle. */
  add(file: VfsFile): number {
    while (this.files.has(this.next) || this.next === 0) this.next = (this.next + 1) >>> 0;
    const fd = this.next;
    this.files.set(fd, file);
    this.next = (this.next + 1) >>> 0;
    return fd;
  }

  /** The file of handle `fd`, or EBADF. */
  get(fd: number, syscall: string): VfsFile {
    const f = this.files.get(fd);
    if (!f) throw new VfsError('EBADF', syscall);
    return f;
  }


  /** Removes handle `fd` and returns its file (undefined when unknown). */
  take(fd: number): VfsFile | undefined {
    const f = this.files.get(fd);
    this.files.delete(fd);
    return f;
  }

  /**
   * Removes handle `fd` and closes its file (committing its writes) without waiting for that, unless
   * MAX_CLOSING closes are running already: then it waits until one finished (the kernel's limit on
   * releases in flight no longer holds back a fast writer, this does). `onError` hears of a failed
   * close. `path` is the file's path now; `closed` waits for closes under it.
   */
  async closeLater(fd: number, path: string, onError: (err: unknown) => void): Promise<void> {
    const f = this.take(fd);
    if (!f) return;
    const done = f.close().catch(onError);
    this.closing.set(done, path);
    void done.then(() => this.closing.delete(done));
    if (this.closing.size > MAX_CLOSING) await Promise.race(this.closing.keys());
  }

  /** Waits for the background closes of `path` and of everything under it (every one when no path). */
  async closed(path?: string): Promise<void> {
    const waits: Array<Promise<void>> = [];
    for (const [p, at] of this.closing) if (path === undefined || isWithin(at, path)) waits.push(p);
    await Promise.all(waits);
  }

  /** Removes and returns every open file (at unmount). */
  drain(): VfsFile[] {
    const all = [...this.files.values()];
    this.files.clear();
    return all;
  }

  /** How many files are open. */
  get size(): number {
    return this.files.size;
  }
}
