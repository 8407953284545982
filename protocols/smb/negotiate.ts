// NEGOTIATE ([MS-SMB2] 2.2.3/2.2.4, 3.3.5.4): dialect choice 2.0.2–3.1.1, 3.1.1 negotiate contexts
// (preauth SHA-512, AES-128-GCM/CCM, signing algorithm), the SPNEGO hint, and the SMB1 "SMB 2.???" upgrade.
import { randomBytes } from 'node:crypto';
import { BODY, type Call } from './call.ts';
import { Cipher, preauthUpdate, SigningAlg } from './crypto.ts';
import { Command, encodeResponse } from './header.ts';
import { NtStatusError, Status } from './ntstatus.ts';
import { serverNegTokenInit } from './spnego.ts';
import type { Reply } from './state.ts';
import type { Connection } from './transport.ts';
import { Reader, Writer, WireError } from './wire.ts';

/** Dialects this server speaks, lowest first. */
export const DIALECTS = [0x0202, 0x0210, 0x0300, 0x0302, 0x0311];
const WILDCARD = 0x02ff;

/** Capability bits. */
const Cap = { LEASING: 0x2, LARGE_MTU: 0x4, ENCRYPTION: 0x40 } as const;
/** SecurityMode bits. */
export const SecMode = { SIGNING_ENABLED: 1, SIGNING_REQUIRED: 2 } as const;
const Ctx = { PREAUTH: 1, ENCRYPTION: 2, SIGNING: 8 } as const;

const now = () => BigInt(Date.now()) * 10000n + 116444736000000000n;

/** Handles an SMB2 NEGOTIATE. */
export async function negotiate(call: Call): Promise<Reply> {
  const { conn, r } = call;
  if (conn.dialect !== 0 && conn.dialect !== WILDCARD) throw new NtStatusError(Status.INVALID_PARAMETER, 'second NEGOTIATE');
  if (r.u16(BODY) !== 36) throw new WireError('NEGOTIATE StructureSize');
  const count = r.u16(BODY + 2);
  if (count === 0 || count > 64) throw new WireError('DialectCount');
  conn.clientSecurityMode = r.u16(BODY + 4);
  conn.clientCapabilities = r.u32(BODY + 8);
  conn.clientGuid = Buffer.from(r.bytes(BODY + 12, 16));
  const offered = Array.from({ length: count }, (_, i) => r.u16(BODY + 36 + i * 2));
  const dialect = [...DIALECTS].reverse().find((d) => offered.includes(d));
  if (dialect === undefined) throw new NtStatusError(Status.NOT_SUPPORTED, 'no common dialect');
  conn.dialect = dialect;
  let contexts: Buffer[] = [];
  if (dialect === 0x0311) {
    contexts = negotiateContexts(conn, r, r.u32(BODY + 28), r.u16(BODY + 32));
    conn.preauth = preauthUpdate(Buffer.alloc(64), call.req.msg);
  } else if (dialect >= 0x0300 && conn.clientCapabilities & Cap.ENCRYPTION) {
    conn.cipher = Cipher.AES_128_CCM;
  }
  const body = responseBody(conn, dialect, contexts);
  return { body, sent: dialect === 0x0311 ? (msg) => (conn.preauth = preauthUpdate(conn.preauth, msg)) : undefined };
}

function responseBody(conn: Connection, dialect: number, contexts: Buffer[]): Buffer {
  const cfg = conn.config;
  const large = dialect > 0x0202;
  const max = large ? cfg.maxIo : 65536;
  let caps = large ? Cap.LARGE_MTU | Cap.LEASING : 0;
  if (dialect >= 0x0300 && dialect < 0x0311 && conn.cipher) caps |= Cap.ENCRYPTION;
  conn.serverCapabilities = caps;
  const token = serverNegTokenInit();
  const w = new Writer();
  w.u16(65).u16(SecMode.SIGNING_ENABLED | (cfg.signingRequired ? SecMode.SIGNING_REQUIRED : 0)).u16(dialect).u16(contexts.length);
  w.bytes(cfg.serverGuid).u32(caps).u32(max).u32(max).u32(max).u64(now()).u64(cfg.startTime);
  w.u16(BODY + 64).u16(token.length);
  const ctxOffAt = w.length;
  w.u32(0).bytes(token);
  if (contexts.length) {
    w.align(8);
    w.setU32(ctxOffAt, BODY + w.length);
    contexts.forEach((c, i) => {
      w.bytes(c);
      if (i < contexts.length - 1) w.align(8);
    });
  }
  return Buffer.from(w.done());
}

function context(type: number, data: Buffer): Buffer {
  return Buffer.from(new Writer().u16(type).u16(data.length).u32(0).bytes(data).done());
}

/** Reads the client's negotiate contexts and returns the server's. */
function negotiateContexts(conn: Connection, r: Reader, offset: number, count: number): Buffer[] {
  if (count > 32) throw new WireError('NegotiateContextCount');
  const out: Buffer[] = [];
  let preauth = false;
  let off = offset;
  for (let i = 0; i < count; i++) {
    off = (off + 7) & ~7;
    const type = r.u16(off);
    const len = r.u16(off + 2);
    const data = new Reader(r.bytes(off + 8, len));
    if (type === Ctx.PREAUTH) {
      const n = data.u16(0);
      const algs = Array.from({ length: n }, (_, k) => data.u16(4 + k * 2));
      if (!algs.includes(1)) throw new NtStatusError(Status.INVALID_PARAMETER, 'SHA-512 preauth not offered');
      preauth = true;
      out.push(context(Ctx.PREAUTH, Buffer.from(new Writer().u16(1).u16(32).u16(1).bytes(randomBytes(32)).done())));
    } else if (type === Ctx.ENCRYPTION) {
      const n = data.u16(0);
      const ciphers = Array.from({ length: n }, (_, k) => data.u16(2 + k * 2));
      conn.cipher = ciphers.includes(Cipher.AES_128_GCM) ? Cipher.AES_128_GCM : ciphers.includes(Cipher.AES_128_CCM) ? Cipher.AES_128_CCM : 0;
      out.push(context(Ctx.ENCRYPTION, Buffer.from(new Writer().u16(1).u16(conn.cipher).done())));
    } else if (type === Ctx.SIGNING) {
      const n = data.u16(0);
      const algs = Array.from({ length: n }, (_, k) => data.u16(2 + k * 2));
      conn.signingAlg = [SigningAlg.AES_GMAC, SigningAlg.AES_CMAC, SigningAlg.HMAC_SHA256].find((a) => algs.includes(a)) ?? SigningAlg.AES_CMAC;
      out.push(context(Ctx.SIGNING, Buffer.from(new Writer().u16(1).u16(conn.signingAlg).done())));
    }
    off += 8 + len;
  }
  if (!preauth) throw new NtStatusError(Status.INVALID_PARAMETER, 'no preauth integrity context');
  return out;
}

/** Answers an SMB1 NEGOTIATE: upgrades to SMB2 when "SMB 2.???" or "SMB 2.002" is offered, else closes. */
export function negotiateSmb1(conn: Connection, pdu: Buffer): void {
  const r = new Reader(pdu);
  let names: string[] = [];
  try {
    if (r.u8(4) !== 0x72 || conn.dialect !== 0) throw new WireError('not an SMB1 NEGOTIATE');
    const byteCount = r.u16(33);
    names = r.bytes(35, byteCount).toString('latin1').split('\x02').map((s) => s.replace(/\0+$/, ''));
  } catch {
    return conn.destroy();
  }
  const dialect = names.includes('SMB 2.???') ? WILDCARD : names.includes('SMB 2.002') ? 0x0202 : 0;
  if (!dialect || !conn.credits.consume(0n, 1)) return conn.destroy();
  conn.dialect = dialect;
  const body = responseBody(conn, dialect, []);
  conn.send(encodeResponse({ status: 0, command: Command.NEGOTIATE, credits: conn.credits.grant(1), flags: 0, messageId: 0n, treeId: 0, sessionId: 0n, creditCharge: 0 }, body));
}
