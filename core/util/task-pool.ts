// Runs async tasks with at most N at a time; `run` waits for a free slot, not for the task.

/** A bounded pool of concurrent async tasks. The first failure is rethrown by `run` or `drain`. */
export class TaskPool {
  private readonly running = new Set<Promise<void>>();
  private failure: unknown = null;

  constructor(private readonly size: number) {}

  /** Starts `task` once fewer than `size` tasks run; resolves when it has started. */
  async run(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.size) await Promise.race(this.running);
    this.check();
    const p: Promise<void> = task()
      .catch((err) => {
        this.failure ??= err;
      })
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** Waits for every started task; rethrows the first failure. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running);
    this.check();
  }

  private check(): void {
    if (this.failure !== null) throw this.failure;
  }
}
