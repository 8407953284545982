// NTLMv1 response check, only behind the `allowNtlmV1` option: it is weak (DES of the NT hash) and off by default.
import { createCipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { md4 } from '../../core/auth/md4.ts';
import type { AuthenticateMessage } from './ntlm.ts';

const ESS = 0x80000;

/** Expands 7 key bytes to an 8-byte DES key (parity bits left clear; DES ignores them). */
function desKey(k7: Buffer): Buffer {
  const k = Buffer.alloc(8);
  k[0] = k7[0]!;
  k[1] = ((k7[0]! << 7) | (k7[1]! >> 1)) & 0xff;
  k[2] = ((k7[1]! << 6) | (k7[2]! >> 2)) & 0xff;
  k[3] = ((k7[2]! << 5) | (k7[3]! >> 3)) & 0xff;
  k[4] = ((k7[3]! << 4) | (k7[4]! >> 4)) & 0xff;
  k[5] = ((k7[4]! << 3) | (k7[5]! >> 5)) & 0xff;
  k[6] = ((k7[5]! << 2) | (k7[6]! >> 6)) & 0xff;
  k[7] = (k7[6]! << 1) & 0xff;
  return k;
}

/** Single DES through 3DES-EDE with three equal keys (OpenSSL 3 keeps 3DES in its default provider). */
function des(k7: Buffer, block: Buffer): Buffer {
  const k = desKey(k7);
  const c = createCipheriv('des-ede3-ecb', Buffer.concat([k, k, k]), null);
  c.setAutoPadding(false);
  return c.update(block);
}

/** DESL([MS-NLMP] 6): three DES encryptions of `data` under the 16-byte key padded to 21. */
function desl(key: Buffer, data: Buffer): Buffer {
  const k = Buffer.concat([key, Buffer.alloc(5)]);
  return Buffer.concat([des(k.subarray(0, 7), data), des(k.subarray(7, 14), data), des(k.subarray(14, 21), data)]);
}

/** Checks an NTLMv1 (optionally ESS) response; returns the KeyExchangeKey or null. */
export function checkNtlmV1(auth: AuthenticateMessage, ntHash: Buffer, serverChallenge: Buffer): { keyExchangeKey: Buffer; micPresent: boolean } | null {
  const ess = (auth.flags & ESS) !== 0 && auth.lmResponse.length >= 8;
  const challenge = ess ? createHash('md5').update(serverChallenge).update(auth.lmResponse.subarray(0, 8)).digest().subarray(0, 8) : serverChallenge;
  if (!timingSafeEqual(desl(ntHash, challenge), auth.ntResponse)) return null;
  const base = md4(ntHash);
  const keyExchangeKey = ess ? createHmac('md5', base).update(serverChallenge).update(auth.lmResponse.subarray(0, 8)).digest() : base;
  return { keyExchangeKey, micPresent: false };
}
