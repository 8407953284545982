// Key material: a random master key set, wrapped by a key derived from the password with scrypt.
import { randomBytes, scryptSync } from 'node:crypto';
import { AuthError, open, seal } from './aead.ts';

/** scrypt parameters, stored in config.json so the key can be re-derived. */
export interface KdfParams {
  algorithm: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
}

/** The archive's secrets: blob encryption key, id (BLAKE3) key, chunker seed. */
export interface ArchiveKeys {
  dataKey: Buffer;
  idKey: Buffer;
  chunkerSeed: Buffer;
}

/** Thrown when the password does not unwrap the archive keys. */
export class WrongPasswordError extends Error {
  constructor() {
    super('wrong password: the archive keys could not be unwrapped');
    this.name = 'WrongPasswordError';
  }
}

/** Fresh KDF parameters; STRATA_KDF_N lowers the cost (tests only). */
export function newKdfParams(): KdfParams {
  const N = Number(process.env.STRATA_KDF_N ?? 1 << 17);
  return { algorithm: 'scrypt', N, r: 8, p: 1, salt: randomBytes(32).toString('hex') };
}

function deriveKek(password: string, kdf: KdfParams): Buffer {
  return scryptSync(password.normalize('NFC'), Buffer.from(kdf.salt, 'hex'), 32, {
    N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + 1024 * 1024,
  });
}

function keysAad(archiveId: string): Buffer {
  return Buffer.from(`strata/v1/keys/${archiveId}`);
}

/** Random keys for a new archive. */
export function newKeys(): ArchiveKeys {
  return { dataKey: randomBytes(32), idKey: randomBytes(32), chunkerSeed: randomBytes(32) };
}

/** Seals `keys` under the password; returns base64 of NONCE || CIPHERTEXT || TAG. */
export function wrapKeys(keys: ArchiveKeys, password: string, kdf: KdfParams, archiveId: string): string {
  const plain = Buffer.concat([keys.dataKey, keys.idKey, keys.chunkerSeed]);
  return seal(deriveKek(password, kdf), plain, keysAad(archiveId)).toString('base64');
}

/** Unwraps the keys; throws WrongPasswordError when the password is wrong. */
export function unwrapKeys(wrapped: string, password: string, kdf: KdfParams, archiveId: string): ArchiveKeys {
  try {
    const plain = open(deriveKek(password, kdf), Buffer.from(wrapped, 'base64'), keysAad(archiveId), 'keys');
    return { dataKey: plain.subarray(0, 32), idKey: plain.subarray(32, 64), chunkerSeed: plain.subarray(64, 96) };
  } catch (err) {
    if (err instanceof AuthError) throw new WrongPasswordError();
    throw err;
  }
}
