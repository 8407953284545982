// Authenticated encryption of blobs and key material: AES-256-GCM, NONCE || CIPHERTEXT || TAG.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const NONCE = 12;
const TAG = 16;

/** Bytes added to every sealed message. */
export const SEAL_OVERHEAD = NONCE + TAG;

/** Thrown when a sealed message fails authentication (wrong key or damaged bytes). */
export class AuthError extends Error {
  constructor(what: string) {
    super(`authentication failed: ${what}`);
    this.name = 'AuthError';
  }
}

/** Encrypts and authenticates `plain` under `key`, binding `aad`; output is nonce || ciphertext || tag. */
export function seal(key: Buffer, plain: Uint8Array, aad: Uint8Array): Buffer {
  const nonce = randomBytes(NONCE);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  const body = c.update(plain);
  const fin = c.final();
  return Buffer.concat([nonce, body, fin, c.getAuthTag()]);
}

/** Reverses seal; throws AuthError when the bytes, the key or the aad do not match. */
export function open(key: Buffer, sealed: Uint8Array, aad: Uint8Array, what: string): Buffer {
  if (sealed.length < SEAL_OVERHEAD) throw new AuthError(`${what} (too short)`);
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const d = createDecipheriv('aes-256-gcm', key, buf.subarray(0, NONCE));
  d.setAAD(aad);
  d.setAuthTag(buf.subarray(buf.length - TAG));
  try {
    return Buffer.concat([d.update(buf.subarray(NONCE, buf.length - TAG)), d.final()]);
  } catch {
    throw new AuthError(what);
  }
}
