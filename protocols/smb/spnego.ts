// SPNEGO (RFC 4178) in ASN.1 DER: the server's NegTokenInit hint, the client's NegTokenInit and both sides' NegTokenResp.
import { WireError } from './wire.ts';

/** DER of the SPNEGO mechanism OID 1.3.6.1.5.5.2. */
const SPNEGO_OID = Buffer.from('06062b0601050502', 'hex');
/** DER of the NTLMSSP mechanism OID 1.3.6.1.4.1.311.2.2.10. */
export const NTLMSSP_OID = Buffer.from('060a2b0601040182370202' + '0a', 'hex');

/** NegTokenResp negState values. */
export const NegState = { ACCEPT_COMPLETED: 0, ACCEPT_INCOMPLETE: 1, REJECT: 2, REQUEST_MIC: 3 } as const;

interface Tlv {
  tag: number;
  value: Buffer;
  /** The whole TLV (tag, length and value). */
  raw: Buffer;
}

function readTlv(buf: Buffer, off: number): Tlv & { end: number } {
  if (off + 2 > buf.length) throw new WireError('DER truncated');
  const tag = buf[off]!;
  let len = buf[off + 1]!;
  let p = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > buf.length) throw new WireError('DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
  }
  if (p + len > buf.length) throw new WireError('DER value outside its token');
  return { tag, value: buf.subarray(p, p + len), raw: buf.subarray(off, p + len), end: p + len };
}

function children(buf: Buffer): Tlv[] {
  const out: Tlv[] = [];
  for (let off = 0; off < buf.length; ) {
    const t = readTlv(buf, off);
    out.push(t);
    off = t.end;
  }
  return out;
}

function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : n < 0x10000 ? Buffer.from([0x82, n >> 8, n & 0xff]) : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

/** What a client's first SPNEGO token holds. */
export interface ClientInit {
  /** DER OIDs in the client's order. */
  mechs: Buffer[];
  /** The DER of the MechTypeList, which mechListMIC signs. */
  mechTypesDer: Buffer;
  /** The optimistic token for the first mechanism. */
  mechToken: Buffer | null;
}

/** What a client's NegTokenResp holds. */
export interface ClientResp {
  responseToken: Buffer | null;
  mechListMIC: Buffer | null;
}

/** Parses a GSS-API InitialContextToken carrying a NegTokenInit. */
export function parseNegTokenInit(token: Buffer): ClientInit {
  const app = readTlv(token, 0);
  if (app.tag !== 0x60) throw new WireError('not a GSS-API token');
  const [oid, inner] = children(app.value);
  if (!oid || !oid.raw.equals(SPNEGO_OID) || !inner || inner.tag !== 0xa0) throw new WireError('not SPNEGO');
  const seq = readTlv(inner.value, 0);
  if (seq.tag !== 0x30) throw new WireError('NegTokenInit');
  const out: ClientInit = { mechs: [], mechTypesDer: Buffer.alloc(0), mechToken: null };
  for (const f of children(seq.value)) {
    if (f.tag === 0xa0) {
      const list = readTlv(f.value, 0);
      out.mechTypesDer = list.raw;
      out.mechs = children(list.value).map((o) => o.raw);
    } else if (f.tag === 0xa2) {
      out.mechToken = readTlv(f.value, 0).value;
    }
  }
  return out;
}

/** Parses a NegTokenResp ([1] SEQUENCE). */
export function parseNegTokenResp(token: Buffer): ClientResp {
  const outer = readTlv(token, 0);
  if (outer.tag !== 0xa1) throw new WireError('not a NegTokenResp');
  const seq = readTlv(outer.value, 0);
  if (seq.tag !== 0x30) throw new WireError('NegTokenResp');
  const out: ClientResp = { responseToken: null, mechListMIC: null };
  for (const f of children(seq.value)) {
    if (f.tag === 0xa2) out.responseToken = readTlv(f.value, 0).value;
    if (f.tag === 0xa3) out.mechListMIC = readTlv(f.value, 0).value;
  }
  return out;
}

/** The NegTokenInit the server puts in its NEGOTIATE response: NTLMSSP is the one mechanism. */
export function serverNegTokenInit(): Buffer {
  const mechTypes = der(0xa0, der(0x30, NTLMSSP_OID));
  const hints = der(0xa3, der(0x30, der(0xa0, der(0x1b, Buffer.from('not_defined_in_RFC4178@please_ignore')))));
  return der(0x60, SPNEGO_OID, der(0xa0, der(0x30, mechTypes, hints)));
}

/** A server NegTokenResp. */
export function negTokenResp(state: number, opts: { supportedMech?: boolean; responseToken?: Buffer; mechListMIC?: Buffer }): Buffer {
  const parts = [der(0xa0, der(0x0a, Buffer.from([state])))];
  if (opts.supportedMech) parts.push(der(0xa1, NTLMSSP_OID));
  if (opts.responseToken) parts.push(der(0xa2, der(0x04, opts.responseToken)));
  if (opts.mechListMIC) parts.push(der(0xa3, der(0x04, opts.mechListMIC)));
  return der(0xa1, der(0x30, ...parts));
}
