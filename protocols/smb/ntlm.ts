// NTLM server side ([MS-NLMP]): builds the CHALLENGE, checks an NTLMv2 AUTHENTICATE against the user's NT
// hash (constant time), recovers the session key (KEY_EXCH), checks the MIC, and signs/verifies mechListMIC.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Rc4 } from './crypto.ts';
import { checkNtlmV1 } from './ntlm-v1.ts';
import { Reader, Writer, utf16, WireError } from './wire.ts';

/** NTLM negotiate flags used here. */
export const NtlmFlag = {
  UNICODE: 0x1,
  REQUEST_TARGET: 0x4,
  SIGN: 0x10,
  SEAL: 0x20,
  NTLM: 0x200,
  ALWAYS_SIGN: 0x8000,
  TARGET_TYPE_SERVER: 0x20000,
  EXTENDED_SESSIONSECURITY: 0x80000,
  TARGET_INFO: 0x800000,
  VERSION: 0x2000000,
  KEY_128: 0x20000000,
  KEY_EXCH: 0x40000000,
  KEY_56: 0x80000000,
} as const;

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
const ECHOED = NtlmFlag.UNICODE | NtlmFlag.REQUEST_TARGET | NtlmFlag.SIGN | NtlmFlag.SEAL | NtlmFlag.ALWAYS_SIGN | NtlmFlag.EXTENDED_SESSIONSECURITY | NtlmFlag.VERSION | NtlmFlag.KEY_128 | NtlmFlag.KEY_EXCH | NtlmFlag.KEY_56;

const hmacMd5 = (key: Buffer, ...data: Buffer[]) => {
  const h = createHmac('md5', key);
  for (const d of data) h.update(d);
  return h.digest();
};
const md5 = (...data: Buffer[]) => {
  const h = createHash('md5');
  for (const d of data) h.update(d);
  return h.digest();
};

/** The fields of an AUTHENTICATE_MESSAGE the server needs. */
export interface AuthenticateMessage {
  user: string;
  domain: string;
  workstation: string;
  lmResponse: Buffer;
  ntResponse: Buffer;
  encryptedSessionKey: Buffer;
  flags: number;
}

/** A message is NTLMSSP of type `type`. */
export function isNtlm(msg: Buffer, type?: number): boolean {
  return msg.length >= 12 && msg.subarray(0, 8).equals(SIGNATURE) && (type === undefined || msg.readUInt32LE(8) === type);
}

function field(r: Reader, off: number): Buffer {
  const len = r.u16(off);
  const at = r.u32(off + 4);
  return len === 0 ? Buffer.alloc(0) : Buffer.from(r.bytes(at, len));
}

/** Parses an AUTHENTICATE_MESSAGE (type 3). */
export function parseAuthenticate(msg: Buffer): AuthenticateMessage {
  if (!isNtlm(msg, 3)) throw new WireError('not an NTLM AUTHENTICATE message');
  const r = new Reader(msg);
  const flags = r.u32(60);
  const text = (b: Buffer) => (flags & NtlmFlag.UNICODE ? b.toString('utf16le') : b.toString('latin1'));
  return {
    lmResponse: field(r, 12),
    ntResponse: field(r, 20),
    domain: text(field(r, 28)),
    user: text(field(r, 36)),
    workstation: text(field(r, 44)),
    encryptedSessionKey: field(r, 52),
    flags,
  };
}

/** Identity of this server in CHALLENGE messages. */
export interface ServerIdentity {
  netbiosName: string;
  dnsName: string;
}

/** The outcome of a successful authentication. */
export interface NtlmSession {
  user: string;
  /** ExportedSessionKey: the key SMB signing and 3.x key derivation start from. */
  sessionKey: Buffer;
  flags: number;
}

/** One NTLM exchange on the server: CHALLENGE out, AUTHENTICATE in, then mechListMIC. */
export class NtlmServer {
  private negotiateMsg = Buffer.alloc(0);
  private challengeMsg = Buffer.alloc(0);
  private readonly serverChallenge: Buffer;
  private readonly now: () => number;
  private flags = 0;
  private sealOut: Rc4 | null = null;
  private sealIn: Rc4 | null = null;
  private signOut = Buffer.alloc(0);
  private signIn = Buffer.alloc(0);

  /** `opts` fixes the clock and the server challenge (tests); both default to the real ones. */
  constructor(private readonly id: ServerIdentity, private readonly allowV1: boolean, opts: { now?: () => number; challenge?: Buffer } = {}) {
    this.now = opts.now ?? Date.now;
    this.serverChallenge = opts.challenge ?? randomBytes(8);
  }

  /** Answers a NEGOTIATE_MESSAGE with a CHALLENGE_MESSAGE. */
  challenge(negotiate: Buffer): Buffer {
    if (!isNtlm(negotiate, 1)) throw new WireError('not an NTLM NEGOTIATE message');
    this.negotiateMsg = Buffer.from(negotiate);
    const clientFlags = new Reader(negotiate).u32(12);
    this.flags = (clientFlags & ECHOED) | NtlmFlag.NTLM | NtlmFlag.TARGET_TYPE_SERVER | NtlmFlag.TARGET_INFO | NtlmFlag.UNICODE;
    const target = utf16(this.id.netbiosName);
    const info = this.targetInfo();
    const w = new Writer();
    w.bytes(SIGNATURE).u32(2);
    w.u16(target.length).u16(target.length).u32(56);
    w.u32(this.flags).bytes(this.serverChallenge).zeros(8);
    w.u16(info.length).u16(info.length).u32(56 + target.length);
    w.bytes(Buffer.from([6, 1, 0xb1, 0x1d, 0, 0, 0, 15]));
    w.bytes(target).bytes(info);
    this.challengeMsg = Buffer.from(w.done());
    return this.challengeMsg;
  }

  private targetInfo(): Buffer {
    const w = new Writer();
    const pair = (id: number, v: Buffer) => w.u16(id).u16(v.length).bytes(v);
    pair(2, utf16(this.id.netbiosName));
    pair(1, utf16(this.id.netbiosName));
    pair(4, utf16(this.id.dnsName));
    pair(3, utf16(this.id.dnsName));
    pair(7, Buffer.from(new Writer().u64(BigInt(this.now()) * 10000n + 116444736000000000n).done()));
    pair(0, Buffer.alloc(0));
    return Buffer.from(w.done());
  }

  /**
   * Checks an AUTHENTICATE_MESSAGE against `ntHash`; returns the session or null when the proof is wrong.
   * Throws WireError for malformed messages.
   */
  authenticate(msg: Buffer, auth: AuthenticateMessage, ntHash: Buffer): NtlmSession | null {
    const base = auth.ntResponse.length > 24 ? this.checkV2(auth, ntHash) : this.allowV1 && auth.ntResponse.length === 24 ? checkNtlmV1(auth, ntHash, this.serverChallenge) : null;
    if (!base) return null;
    let sessionKey = base.keyExchangeKey;
    if (auth.flags & NtlmFlag.KEY_EXCH && this.flags & NtlmFlag.KEY_EXCH) {
      if (auth.encryptedSessionKey.length !== 16) throw new WireError('EncryptedRandomSessionKey must be 16 bytes');
      sessionKey = new Rc4(base.keyExchangeKey).update(auth.encryptedSessionKey);
    }
    if (base.micPresent && !this.micValid(msg, sessionKey)) return null;
    this.setupSigning(sessionKey);
    return { user: auth.user, sessionKey, flags: this.flags };
  }

  private checkV2(auth: AuthenticateMessage, ntHash: Buffer): { keyExchangeKey: Buffer; micPresent: boolean } | null {
    const proof = auth.ntResponse.subarray(0, 16);
    const blob = auth.ntResponse.subarray(16);
    const domains = [...new Set([auth.domain, auth.domain.toUpperCase(), ''])];
    for (const d of domains) {
      const key = hmacMd5(ntHash, utf16(auth.user.toUpperCase() + d));
      const expect = hmacMd5(key, this.serverChallenge, blob);
      if (timingSafeEqual(expect, proof)) return { keyExchangeKey: hmacMd5(key, proof), micPresent: micFlag(blob) };
    }
    return null;
  }

  private micValid(msg: Buffer, sessionKey: Buffer): boolean {
    if (msg.length < 88) return false;
    const copy = Buffer.from(msg);
    const mic = Buffer.from(copy.subarray(72, 88));
    copy.fill(0, 72, 88);
    return timingSafeEqual(hmacMd5(sessionKey, this.negotiateMsg, this.challengeMsg, copy), mic);
  }

  private setupSigning(key: Buffer): void {
    const magic = (s: string) => Buffer.from(`session key to ${s} key magic constant\0`, 'latin1');
    this.signOut = md5(key, magic('server-to-client signing'));
    this.signIn = md5(key, magic('client-to-server signing'));
    const sealBase = this.flags & NtlmFlag.KEY_128 ? key : this.flags & NtlmFlag.KEY_56 ? key.subarray(0, 7) : key.subarray(0, 5);
    this.sealOut = new Rc4(md5(sealBase, magic('server-to-client sealing')));
    this.sealIn = new Rc4(md5(sealBase, magic('client-to-server sealing')));
  }

  /** Whether mechListMIC applies (extended session security negotiated, so NTLM signing keys exist). */
  get canSign(): boolean {
    return (this.flags & NtlmFlag.EXTENDED_SESSIONSECURITY) !== 0 && this.sealOut !== null;
  }

  /** The NTLM signature of `data` as the server (sequence 0): our mechListMIC. */
  signMechList(data: Buffer): Buffer {
    return this.ntlmSignature(this.signOut, this.sealOut!, data);
  }

  /** True when `mic` is the client's NTLM signature of `data` (sequence 0). */
  verifyMechList(data: Buffer, mic: Buffer): boolean {
    const expect = this.ntlmSignature(this.signIn, this.sealIn!, data);
    return mic.length === 16 && timingSafeEqual(expect, mic);
  }

  private ntlmSignature(signKey: Buffer, seal: Rc4, data: Buffer): Buffer {
    const seq = Buffer.alloc(4);
    let checksum: Buffer = hmacMd5(signKey, seq, data).subarray(0, 8);
    if (this.flags & NtlmFlag.KEY_EXCH) checksum = seal.update(checksum);
    return Buffer.concat([Buffer.from([1, 0, 0, 0]), checksum, seq]);
  }
}

/** True when the NTLMv2 blob's AV pairs carry MsvAvFlags with the MIC bit. */
function micFlag(blob: Buffer): boolean {
  const r = new Reader(blob);
  for (let off = 28; off + 4 <= blob.length; ) {
    const id = r.u16(off);
    const len = r.u16(off + 2);
    if (id === 0) break;
    if (id === 6 && len >= 4) return (r.u32(off + 4) & 2) !== 0;
    off += 4 + len;
  }
  return false;
}
