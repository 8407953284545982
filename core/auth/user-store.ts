// Users kept in the archive's LMDB: scrypt hashes for password checks, NT hashes for SMB (sealed
// with the archive key when the archive is encrypted).
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Archive } from '../archive.ts';
import { open, seal } from '../store/aead.ts';
import { ntHash } from './md4.ts';
import { checkUserName, publicUser, type User, type UserRecord } from './user.ts';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

/** Adds, changes, removes, lists and checks users of one archive. */
export class UserStore {
  constructor(private readonly archive: Archive) {}

  private aad(name: string): Buffer {
    return Buffer.from(`strata/v1/user-nt/${name}`);
  }

  private async record(user: User, password: string): Promise<UserRecord> {
    const N = Number(process.env.STRATA_KDF_N ?? 1 << 15);
    const salt = randomBytes(16);
    const hash = await scrypt(password.normalize('NFC'), salt, 32, { N, r: 8, p: 1, maxmem: 256 * N * 8 + (1 << 20) });
    const nt = ntHash(password);
    const key = this.archive.keys?.dataKey;
    return {
      ...user,
      scrypt: { N, r: 8, p: 1, salt: salt.toString('hex'), hash: hash.toString('hex') },
      nt: key ? seal(key, nt, this.aad(user.name)).toString('base64') : nt.toString('hex'),
    };
  }

  /** Every user's rights, by name. */
  list(): User[] {
    return [...this.archive.db.users.getRange({})].map((e) => publicUser(e.value as UserRecord));
  }

  /** The user's rights, or undefined. */
  get(name: string): User | undefined {
    const r = this.archive.db.users.get(name) as UserRecord | undefined;
    return r ? publicUser(r) : undefined;
  }

  /** Adds a user (or replaces one with `replace`). */
  async add(user: User, password: string, replace = false): Promise<void> {
    const bad = checkUserName(user.name);
    if (bad) throw new Error(bad);
    if (password.length === 0) throw new Error('the password must not be empty');
    if (!replace && this.get(user.name)) throw new Error(`user '${user.name}' exists (use 'strata user passwd')`);
    const rec = await this.record(user, password);
    await this.archive.db.users.put(user.name, rec);
  }

  /** Sets a new password, keeping the rights. */
  async passwd(name: string, password: string): Promise<void> {
    const u = this.get(name);
    if (!u) throw new Error(`no user '${name}'`);
    await this.add(u, password, true);
  }

  /** Removes a user. */
  async remove(name: string): Promise<void> {
    if (!this.get(name)) throw new Error(`no user '${name}'`);
    await this.archive.db.users.remove(name);
  }

  /** The user when `password` is right, else null (constant-time comparison). */
  async check(name: string, password: string): Promise<User | null> {
    const r = this.archive.db.users.get(name) as UserRecord | undefined;
    const s = r?.scrypt ?? { N: 1024, r: 8, p: 1, salt: '00', hash: '00'.repeat(32) };
    const got = await scrypt(password.normalize('NFC'), Buffer.from(s.salt, 'hex'), 32, { N: s.N, r: s.r, p: s.p, maxmem: 256 * s.N * s.r + (1 << 20) });
    if (!r || !timingSafeEqual(got, Buffer.from(s.hash, 'hex'))) return null;
    return publicUser(r);
  }

  /** The NT hash SMB's NTLM needs, or null for an unknown user. */
  ntHash(name: string): Buffer | null {
    const r = this.archive.db.users.get(name) as UserRecord | undefined;
    if (!r) return null;
    const key = this.archive.keys?.dataKey;
    return key ? open(key, Buffer.from(r.nt, 'base64'), this.aad(name), 'user nt hash') : Buffer.from(r.nt, 'hex');
  }
}
