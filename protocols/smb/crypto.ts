// SMB2/3 cryptography: SP800-108 key derivation, AES-CMAC (RFC 4493), HMAC-SHA256/CMAC/GMAC message
// signing, AES-CCM/GCM transform encryption, the 3.1.1 preauth hash, and a small RC4 (Node 20 lacks it).
import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';
import { partsLength } from '../../core/files/content.ts';

/** Signing algorithm ids of the SIGNING_CAPABILITIES negotiate context. */
export const SigningAlg = { HMAC_SHA256: 0, AES_CMAC: 1, AES_GMAC: 2 } as const;
/** Cipher ids of the ENCRYPTION_CAPABILITIES negotiate context. */
export const Cipher = { AES_128_CCM: 1, AES_128_GCM: 2 } as const;

/** SP800-108 counter-mode KDF with HMAC-SHA256, 128-bit output, as [MS-SMB2] 3.1.4.2 uses it. */
export function kdf(key: Buffer, label: string, context: Buffer): Buffer {
  const h = createHmac('sha256', key);
  h.update(Buffer.from([0, 0, 0, 1]));
  h.update(Buffer.from(label + '\0', 'latin1'));
  h.update(Buffer.from([0]));
  h.update(context);
  h.update(Buffer.from([0, 0, 0, 128]));
  return h.digest().subarray(0, 16);
}

/** The three session keys of SMB 3.x. */
export interface SessionKeys {
  signing: Buffer;
  /** Key the server encrypts with (client decrypts). */
  serverOut: Buffer;
  /** Key the server decrypts with. */
  serverIn: Buffer;
}

/** Derives SMB 3.x keys from the authentication session key; 3.1.1 uses the session's preauth hash. */
export function deriveKeys(sessionKey: Buffer, dialect: number, preauthHash: Buffer | null): SessionKeys {
  if (dialect === 0x0311) {
    const ctx = preauthHash!;
    return {
      signing: kdf(sessionKey, 'SMBSigningKey', ctx),
      serverOut: kdf(sessionKey, 'SMBS2CCipherKey', ctx),
      serverIn: kdf(sessionKey, 'SMBC2SCipherKey', ctx),
    };
  }
  return {
    signing: kdf(sessionKey, 'SMB2AESCMAC', Buffer.from('SmbSign\0', 'latin1')),
    serverOut: kdf(sessionKey, 'SMB2AESCCM', Buffer.from('ServerOut\0', 'latin1')),
    serverIn: kdf(sessionKey, 'SMB2AESCCM', Buffer.from('ServerIn \0', 'latin1')),
  };
}

function aesBlock(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return c.update(block);
}

function shiftLeft(b: Buffer): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = ((b[i]! << 1) | (i < 15 ? b[i + 1]! >> 7 : 0)) & 0xff;
  if (b[0]! & 0x80) out[15]! ^= 0x87;
  return out;
}

/**
 * AES-128-CMAC (RFC 4493) of `msg`, or of its parts in order without joining them: the blocks before the
 * last go through AES-CBC as they come (the cipher carries partial blocks across parts), the last is masked.
 */
export function aesCmac(key: Buffer, msg: Buffer | readonly Buffer[]): Buffer {
  const parts = msg instanceof Uint8Array ? [msg] : msg;
  const total = partsLength(parts);
  const k1 = shiftLeft(aesBlock(key, Buffer.alloc(16)));
  const complete = total > 0 && total % 16 === 0;
  const lastStart = complete ? total - 16 : total - (total % 16);
  const c = createCipheriv('aes-128-cbc', key, Buffer.alloc(16));
  c.setAutoPadding(false);
  const last = Buffer.alloc(16);
  let pos = 0;
  for (const p of parts) {
    const cut = Math.min(p.length, Math.max(0, lastStart - pos));
    if (cut > 0) c.update(p.subarray(0, cut));
    if (cut < p.length) p.copy(last, pos + cut - lastStart, cut);
    pos += p.length;
  }
  if (!complete) last[total - lastStart] = 0x80;
  const sub = complete ? k1 : shiftLeft(k1);
  for (let i = 0; i < 16; i++) last[i]! ^= sub[i]!;
  return c.update(last);
}

/** How a session signs: the algorithm and the key. */
export interface Signer {
  alg: number;
  key: Buffer;
}

/** AES-128-GMAC of a message given in parts ([MS-SMB2] 3.1.4.1): nonce = MessageId, then a word with bit 0 for responses, bit 1 for CANCEL. */
function aesGmac(key: Buffer, parts: Buffer[]): Buffer {
  const head = parts[0]!;
  const nonce = Buffer.alloc(12);
  head.copy(nonce, 0, 24, 32);
  const flags = head.readUInt32LE(16);
  nonce.writeUInt32LE((flags & 1) | (head.readUInt16LE(12) === 0x0c ? 2 : 0), 8);
  const g = createCipheriv('aes-128-gcm', key, nonce);
  for (const p of parts) g.setAAD(p);
  g.final();
  return g.getAuthTag();
}

/**
 * The 16-byte signature of one SMB2 message, computed as if its Signature field were zero (restored
 * afterwards). The message may come in parts (the first holds the whole header), signed without joining them.
 */
export function signature(signer: Signer, msg: Buffer | Buffer[]): Buffer {
  const parts = Array.isArray(msg) ? msg : [msg];
  const head = parts[0]!;
  const saved = Buffer.from(head.subarray(48, 64));
  head.fill(0, 48, 64);
  try {
    if (signer.alg === SigningAlg.HMAC_SHA256) {
      const h = createHmac('sha256', signer.key);
      for (const p of parts) h.update(p);
      return h.digest().subarray(0, 16);
    }
    if (signer.alg === SigningAlg.AES_GMAC) return aesGmac(signer.key, parts);
    return aesCmac(signer.key, parts);
  } finally {
    saved.copy(head, 48);
  }
}

/** Writes the signature into the message (its first part) in place. */
export function sign(signer: Signer, msg: Buffer | Buffer[]): void {
  signature(signer, msg).copy(Array.isArray(msg) ? msg[0]! : msg, 48);
}

/** Updates a 3.1.1 preauth integrity hash with one message. */
export function preauthUpdate(hash: Buffer, msg: Buffer): Buffer {
  return createHash('sha512').update(hash).update(msg).digest();
}

const TRANSFORM_ID = 0x424d53fd;

/**
 * Wraps a message, given whole or in parts, in an SMB2 TRANSFORM_HEADER encrypted with `key` ([MS-SMB2]
 * 3.1.4.3): returns the header and the ciphertext pieces. GCM encrypts part by part; CCM takes its whole
 * input in one call, so its parts are joined.
 */
export function encryptMessage(cipher: number, key: Buffer, sessionId: bigint, msg: Buffer | readonly Buffer[], nonceSeed: Buffer): Buffer[] {
  const parts = msg instanceof Uint8Array ? [msg] : msg;
  const length = partsLength(parts);
  const hdr = Buffer.alloc(52);
  hdr.writeUInt32LE(TRANSFORM_ID, 0);
  const nonceLen = cipher === Cipher.AES_128_CCM ? 11 : 12;
  nonceSeed.copy(hdr, 20, 0, nonceLen);
  hdr.writeUInt32LE(length, 36);
  hdr.writeUInt16LE(1, 42);
  hdr.writeBigUInt64LE(sessionId, 44);
  const nonce = hdr.subarray(20, 20 + nonceLen);
  const aad = hdr.subarray(20, 52);
  let body: Buffer[];
  let tag: Buffer;
  if (cipher === Cipher.AES_128_CCM) {
    const c = createCipheriv('aes-128-ccm', key, nonce, { authTagLength: 16 });
    c.setAAD(aad, { plaintextLength: length });
    body = [c.update(parts.length === 1 ? parts[0]! : Buffer.concat(parts))];
    c.final();
    tag = c.getAuthTag();
  } else {
    const c = createCipheriv('aes-128-gcm', key, nonce);
    c.setAAD(aad);
    body = parts.map((p) => c.update(p));
    c.final();
    tag = c.getAuthTag();
  }
  tag.copy(hdr, 4);
  return [hdr, ...body];
}

/** True when a PDU starts with the transform header's protocol id. */
export const isTransform = (pdu: Buffer): boolean => pdu.length >= 4 && pdu.readUInt32LE(0) === TRANSFORM_ID;

/** The session id a transform header names. */
export const transformSessionId = (pdu: Buffer): bigint => pdu.readBigUInt64LE(44);

/** Decrypts a TRANSFORM_HEADER PDU; throws when it fails authentication. */
export function decryptMessage(cipher: number, key: Buffer, pdu: Buffer): Buffer {
  if (pdu.length < 52) throw new Error('short transform header');
  const size = pdu.readUInt32LE(36);
  const body = pdu.subarray(52);
  if (size !== body.length) throw new Error('transform size mismatch');
  const nonceLen = cipher === Cipher.AES_128_CCM ? 11 : 12;
  const nonce = pdu.subarray(20, 20 + nonceLen);
  const aad = pdu.subarray(20, 52);
  const tag = pdu.subarray(4, 20);
  const d = cipher === Cipher.AES_128_CCM ? createDecipheriv('aes-128-ccm', key, nonce, { authTagLength: 16 }) : createDecipheriv('aes-128-gcm', key, nonce);
  d.setAuthTag(tag);
  d.setAAD(aad, { plaintextLength: body.length });
  const plain = d.update(body);
  d.final(); // throws unless the tag matches: nothing is returned unauthenticated
  return plain;
}

/** An RC4 keystream (NTLM key exchange and sealing); stateful across calls like an OpenSSL RC4 handle. */
export class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  constructor(key: Uint8Array) {
    for (let k = 0; k < 256; k++) this.s[k] = k;
    for (let k = 0, j = 0; k < 256; k++) {
      j = (j + this.s[k]! + key[k % key.length]!) & 0xff;
      [this.s[k], this.s[j]] = [this.s[j]!, this.s[k]!];
    }
  }

  /** XORs `data` with the next bytes of keystream. */
  update(data: Uint8Array): Buffer {
    const out = Buffer.alloc(data.length);
    for (let n = 0; n < data.length; n++) {
      this.i = (this.i + 1) & 0xff;
      this.j = (this.j + this.s[this.i]!) & 0xff;
      [this.s[this.i], this.s[this.j]] = [this.s[this.j]!, this.s[this.i]!];
      out[n] = data[n]! ^ this.s[(this.s[this.i]! + this.s[this.j]!) & 0xff]!;
    }
    return out;
  }
}
