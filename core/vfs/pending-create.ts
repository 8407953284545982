// A file created with OpenFlags.deferCreate whose entry is not committed yet. Its entry is written
// by the file's first content commit, in the same transaction (one commit for both), or on its own
// as soon as another call needs it (`issue`), or never, when the file is unlinked first (`cancel`).
import type { Inode } from '../meta/inode.ts';
import type { ContentUpdate } from './open-file.ts';

/** What a pending create needs from the Vfs. */
export interface PendingCreateDeps {
  /** Issues the transaction that creates the entry alone. */
  create: () => Promise<{ ino: number; node: Inode }>;
  /** Commits `u` into the entry `createIn` makes inside that commit's transaction (null: nothing to write). */
  commitWithCreate: (u: ContentUpdate, createIn: () => { ino: number; node: Inode } | null) => Promise<void>;
  /** Commits `u` into the existing inode `ino`. */
  commitContent: (ino: number, u: ContentUpdate) => Promise<void>;
  /** The entry is committed as inode `ino`. */
  registered: (ino: number) => void;
}

type State = 'pending' | 'issued' | 'folded' | 'committed' | 'failed' | 'cancelled';

/** One deferred create, from `open` until its entry is committed, failed or cancelled. */
export class PendingCreate {
  private state: State = 'pending';
  /** The folded commit's transaction ran (from then on the entry cannot be cancelled). */
  private createRan = false;
  private ino = 0;
  private created: Promise<{ ino: number; node: Inode }> | null = null;
  /** Why creating the entry failed ('failed'). */
  private failure: unknown = null;
  private finish!: () => void;
  /** Settles once the entry is committed (and registered), failed or was cancelled. */
  readonly done: Promise<void> = new Promise((resolve) => (this.finish = resolve));

  constructor(private readonly deps: PendingCreateDeps, private readonly createEntry: () => { ino: number; node: Inode }) {}

  /** Creates the entry on its own now unless it is committed, being committed or cancelled already. */
  issue(): void {
    if (this.state !== 'pending') return;
    this.state = 'issued';
    this.created = this.deps.create();
    this.created.then(
      ({ ino }) => this.committed(ino),
      (err: unknown) => {
        this.failure = err;
        this.end('failed');
      },
    );
  }

  /** Drops the entry before it was ever committed (an unlink); false when it is committed or its commit already ran. */
  cancel(): boolean {
    if (this.state === 'pending') {
      this.end('cancelled');
      return true;
    }
    if (this.state === 'folded' && !this.createRan) {
      this.state = 'cancelled';
      return true;
    }
    return false;
  }

  /** The file's content commit (its OpenFile's `commit`): creates the entry with it when nothing did yet. */
  async commit(u: ContentUpdate): Promise<void> {
    switch (this.state) {
      case 'cancelled':
        return; // unlinked before its entry was ever written: nothing to keep
      case 'pending':
        return this.commitFolded(u);
      case 'issued':
        return this.deps.commitContent((await this.created!).ino, u);
      case 'failed':
        throw this.failure; // creating it failed: its content has nowhere to go
      default:
        return this.deps.commitContent(this.ino, u);
    }
  }

  private async commitFolded(u: ContentUpdate): Promise<void> {
    this.state = 'folded';
    try {
      await this.deps.commitWithCreate(u, () => {
        this.createRan = true;
        if (this.cancelled()) return null;
        const made = this.createEntry();
        this.ino = made.ino;
        return made;
      });
    } catch (err) {
      if (!this.cancelled()) this.failure = err;
      this.end(this.cancelled() ? 'cancelled' : 'failed');
      throw err;
    }
    if (this.cancelled()) this.end('cancelled');
    else this.committed(this.ino);
  }

  /** True once `cancel` dropped the entry (it may happen while the folded commit waits). */
  private cancelled(): boolean {
    return this.state === 'cancelled';
  }

  private committed(ino: number): void {
    this.ino = ino;
    this.deps.registered(ino);
    this.end('committed');
  }

  private end(state: State): void {
    this.state = state;
    this.finish();
  }
}
