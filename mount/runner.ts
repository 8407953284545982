// Runs one FUSE operation: awaits the Vfs work, answers fuse-native exactly once (errno from the one
// table on failure), reports the request for metrics, and never lets an exception reach the FUSE thread.
import type { Logger } from 'pino';
import type { RequestEvent } from '../protocols/frontend.ts';
import { isVfsError } from '../core/errors.ts';
import { errorName, fuseErrno } from './errors.ts';

/** Byte counts an operation reports for metrics. */
export interface Traffic {
  bytesIn?: number;
  bytesOut?: number;
}

/** Runs operations and reports them. */
export class OpRunner {
  private seq = 0;

  constructor(private readonly log: Logger, private readonly observe: (e: RequestEvent) => void) {}

  /** Runs `work`; on success calls `ok` with its result, on failure `fail` with a negative errno. */
  run<T>(op: string, work: () => Promise<T>, ok: (value: T) => void, fail: (errno: number) => void, traffic?: (value: T) => Traffic): void {
    const started = process.hrtime.bigint();
    const req = ++this.seq;
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    let promise: Promise<T>;
    try {
      promise = work();
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.then(
      (value) => {
        this.observe({ protocol: 'fuse', op, ok: true, seconds: seconds(), ...traffic?.(value) });
        this.answer(op, () => ok(value));
      },
      (err: unknown) => {
        if (!isVfsError(err) || err.code === 'EIO') this.log.error({ req, err, op }, 'fuse operation failed');
        this.observe({ protocol: 'fuse', op, ok: false, error: errorName(err), seconds: seconds() });
        this.answer(op, () => fail(fuseErrno(err)));
      },
    );
  }

  private answer(op: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err, op }, 'answering the kernel failed');
    }
  }
}
