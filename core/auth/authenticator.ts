// Sign-in for every frontend: stored users and command-line users, with failed attempts rate-limited and logged.
import { timingSafeEqual } from 'node:crypto';
import { ntHash } from './md4.ts';
import type { User } from './user.ts';
import type { UserStore } from './user-store.ts';

/** Failures allowed per user and address before a lockout. */
const MAX_FAILURES = 5;
const LOCKOUT_MS = 30_000;
const WINDOW_MS = 60_000;

/** Something that reports sign-in events (pino in the server). */
export interface AuthLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** A user given on the command line (`--user NAME:PASSWORD`), kept in memory only. */
export interface InlineUser extends User {
  password: string;
}

/** Checks passwords for every protocol the same way. */
export class Authenticator {
  private readonly failures = new Map<string, { count: number; first: number; until: number }>();

  constructor(
    private readonly store: UserStore | null,
    private readonly inline: InlineUser[] = [],
    private readonly log: AuthLog = { warn() {}, info() {} },
    readonly anonymous: User | null = null,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The user when the password is right; null when wrong, unknown or locked out after repeated failures. */
  async authenticate(name: string, password: string, remote = 'unknown', protocol = 'unknown'): Promise<User | null> {
    if (this.lockedOut(name, remote)) {
      this.log.warn({ user: name, remote, protocol }, 'sign-in refused: too many failed attempts');
      return null;
    }
    const user = await this.check(name, password);
    if (!user) {
      this.noteFailure(name, remote, protocol);
      return null;
    }
    this.noteSuccess(name, remote, protocol);
    return user;
  }

  /** Records a successful sign-in (clears the failure count). */
  noteSuccess(name: string, remote: string, protocol: string): void {
    this.failures.delete(`${remote}\0${name}`);
    this.log.info({ user: name, remote, protocol }, 'signed in');
  }

  private findInline(name: string): InlineUser | undefined {
    return this.inline.find((u) => u.name.toLowerCase() === name.toLowerCase());
  }

  private async check(name: string, password: string): Promise<User | null> {
    const inline = this.inline.find((u) => u.name === name);
    if (inline) {
      const a = Buffer.from(inline.password);
      const b = Buffer.from(password);
      if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
      const { password: _secret, ...user } = inline;
      return user;
    }
    return this.store ? this.store.check(name, password) : null;
  }

  /** Whether a user exists (SMB needs this before it can check a response). */
  user(name: string): User | null {
    const inline = this.findInline(name);
    if (inline) {
      const { password: _secret, ...user } = inline;
      return user;
    }
    return this.store?.get(name) ?? null;
  }

  /** The NT hash for NTLM (SMB); null for an unknown user. */
  ntHash(name: string): Buffer | null {
    const inline = this.findInline(name);
    if (inline) return ntHash(inline.password);
    return this.store?.ntHash(name) ?? null;
  }

  /** Records a failed sign-in (also for NTLM responses, which the SMB server verifies itself). */
  noteFailure(name: string, remote: string, protocol: string): void {
    const key = `${remote}\0${name}`;
    const now = this.clock();
    const f = this.failures.get(key);
    const rec = f && now - f.first < WINDOW_MS ? f : { count: 0, first: now, until: 0 };
    rec.count++;
    if (rec.count >= MAX_FAILURES) rec.until = now + LOCKOUT_MS;
    this.failures.set(key, rec);
    this.log.warn({ user: name, remote, protocol, failures: rec.count }, 'sign-in failed');
  }

  /** True when `name` at `remote` is locked out now. */
  lockedOut(name: string, remote: string): boolean {
    return (this.failures.get(`${remote}\0${name}`)?.until ?? 0) > this.clock();
  }
}
