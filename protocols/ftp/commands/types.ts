// The shape of one FTP command handler and the error a handler throws to send a specific reply.
import type { FtpOp } from '../errors.ts';
import type { Session } from '../session.ts';

/** Thrown by a handler to answer with exactly this reply. */
export class FtpFail extends Error {
  constructor(readonly code: number, readonly text: string) {
    super(`${code} ${text}`);
  }
}

/** One command: its handler, whether it needs a signed-in user, how its Vfs errors map, and its HELP text. */
export interface CommandSpec {
  run: (s: Session, arg: string) => Promise<void>;
  /** False for the few commands allowed before sign-in. */
  login: boolean;
  /** The operation kind for mapping Vfs errors (see errors.ts). */
  op: FtpOp;
  /** Argument syntax for HELP, e.g. '<path>'. */
  syntax: string;
}

/** Commands by upper-case verb. */
export type CommandTable = Record<string, CommandSpec>;

/** The argument, or a 501 when it is empty. */
export function required(arg: string, what = 'an argument'): string {
  if (arg.trim() === '') throw new FtpFail(501, `Syntax error: ${what} required`);
  return arg;
}
