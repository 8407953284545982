// A handle on a live file: a view onto the shared OpenFile of its inode.
import { VfsError } from '../errors.ts';
import type { OpenFile } from './open-file.ts';
import type { Stat, VfsFile } from './types.ts';

/** A handle's view of an open live file. */
export class LiveFile implements VfsFile {
  private closed = false;

  constructor(
    readonly path: string,
    private readonly file: OpenFile,
    private readonly mode: { write: boolean; append: boolean },
    private readonly statNow: () => Promise<Stat>,
    private readonly release: (f: OpenFile) => Promise<void>,
  ) {}

  get ino(): number {
    return this.file.ino;
  }

  private check(syscall: string, writing = false): void {
    if (this.closed) throw new VfsError('EBADF', syscall, this.path);
    if (writing && !this.mode.write) throw new VfsError('EBADF', syscall, this.path, 'file not open for writing');
  }

  async read(offset: number, length: number): Promise<Buffer> {
    this.check('read');
    if (offset < 0 || length < 0) throw new VfsError('EINVAL', 'read', this.path);
    return this.file.read(offset, length);
  }

  async readParts(offset: number, length: number): Promise<Buffer[]> {
    this.check('read');
    if (offset < 0 || length < 0) throw new VfsError('EINVAL', 'read', this.path);
    return this.file.readParts(offset, length);
  }

  async write(offset: number, data: Uint8Array): Promise<number> {
    this.check('write', true);
    if (offset < 0) throw new VfsError('EINVAL', 'write', this.path);
    return this.file.write(this.mode.append ? this.file.size : offset, data);
  }

  async truncate(size: number): Promise<void> {
    this.check('truncate', true);
    if (size < 0 || !Number.isSafeInteger(size)) throw new VfsError('EINVAL', 'truncate', this.path);
    await this.file.truncate(size);
  }

  async stat(): Promise<Stat> {
    this.check('fstat');
    return this.statNow();
  }

  async flush(): Promise<void> {
    this.check('flush');
    await this.file.flush();
  }

  async fsync(): Promise<void> {
    await this.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.file.flush();
    } finally {
      await this.release(this.file);
    }
  }
}
