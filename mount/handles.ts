// Open files of the mount: FUSE file handles (small integers, never 0) mapped to VfsFile objects.
import { VfsError } from '../core/errors.ts';
import type { VfsFile } from '../core/vfs/types.ts';

/** The table of open files; fuse-native treats handle 0 as "none", so numbering starts at 1. */
export class HandleTable {
  private readonly files = new Map<number, VfsFile>();
  private next = 1;

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
