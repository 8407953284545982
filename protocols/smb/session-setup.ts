// SESSION_SETUP ([MS-SMB2] 3.3.5.5): NTLMSSP inside SPNEGO (or raw), lockout, session keys, signing and encryption.
import { BODY, type Call } from './call.ts';
import { deriveKeys, preauthUpdate, SigningAlg } from './crypto.ts';
import { NtStatusError, Status } from './ntstatus.ts';
import { isNtlm, NtlmServer, parseAuthenticate } from './ntlm.ts';
import { NegState, negTokenResp, NTLMSSP_OID, parseNegTokenInit, parseNegTokenResp } from './spnego.ts';
import { SecMode } from './negotiate.ts';
import type { Reply, Session } from './state.ts';
import type { Connection } from './transport.ts';
import { Writer, WireError } from './wire.ts';

const SessionFlag = { ENCRYPT_DATA: 0x4 } as const;

function response(token: Buffer, flags = 0): Buffer {
  return Buffer.from(new Writer().u16(9).u16(flags).u16(token.length ? BODY + 8 : 0).u16(token.length).bytes(token).done());
}

function newSession(conn: Connection): Session {
  const s: Session = {
    id: (BigInt(Date.now() & 0xffff) << 32n) | conn.newId(),
    state: 'in-progress',
    ntlm: new NtlmServer({ netbiosName: conn.config.netbiosName, dnsName: conn.config.dnsName }, conn.config.allowNtlmV1),
    mechTypesDer: null,
    user: null,
    userName: '',
    vfs: null,
    sessionKey: null,
    signer: null,
    keys: null,
    signingRequired: false,
    encrypt: false,
    preauth: conn.dialect === 0x0311 ? Buffer.from(conn.preauth) : null,
    trees: new Map(),
  };
  conn.sessions.set(s.id, s);
  return s;
}

/** Handles SESSION_SETUP. */
export async function sessionSetup(call: Call): Promise<Reply> {
  const { conn, r, req } = call;
  if (r.u16(BODY) !== 25) throw new WireError('SESSION_SETUP StructureSize');
  if (r.u8(BODY + 2) & 1) throw new NtStatusError(Status.REQUEST_NOT_ACCEPTED, 'multichannel binding is not supported');
  const token = Buffer.from(r.bytes(r.u16(BODY + 12), r.u16(BODY + 14)));
  let session = req.header.sessionId ? conn.sessions.get(req.header.sessionId) : undefined;
  if (req.header.sessionId && !session) throw new NtStatusError(Status.USER_SESSION_DELETED);
  if (!session || session.state === 'valid') session = session ? reauth(conn, session) : newSession(conn);
  const s = session;
  if (s.preauth) s.preauth = preauthUpdate(s.preauth, req.msg);
  try {
    const reply = await step(call, s, token);
    if (reply.status === Status.MORE_PROCESSING_REQUIRED && s.preauth) reply.sent = (msg) => (s.preauth = preauthUpdate(s.preauth!, msg));
    return { ...reply, sessionId: s.id };
  } catch (err) {
    conn.sessions.delete(s.id);
    throw err;
  }
}

function reauth(conn: Connection, old: Session): Session {
  conn.sessions.delete(old.id);
  const s = newSession(conn);
  conn.sessions.delete(s.id);
  s.id = old.id;
  s.trees = old.trees;
  conn.sessions.set(s.id, s);
  return s;
}

async function step(call: Call, s: Session, token: Buffer): Promise<Reply> {
  if (isNtlm(token, 1)) return { status: Status.MORE_PROCESSING_REQUIRED, body: response(s.ntlm.challenge(token)) };
  if (isNtlm(token, 3)) return finish(call, s, token, null);
  if (token[0] === 0x60) {
    const init = parseNegTokenInit(token);
    if (!init.mechs.some((m) => m.equals(NTLMSSP_OID))) throw new NtStatusError(Status.LOGON_FAILURE, 'no NTLMSSP mechanism offered');
    s.mechTypesDer = init.mechTypesDer;
    if (!init.mechs[0]!.equals(NTLMSSP_OID) || !init.mechToken) {
      return { status: Status.MORE_PROCESSING_REQUIRED, body: response(negTokenResp(NegState.ACCEPT_INCOMPLETE, { supportedMech: true })) };
    }
    const challenge = s.ntlm.challenge(init.mechToken);
    return { status: Status.MORE_PROCESSING_REQUIRED, body: response(negTokenResp(NegState.ACCEPT_INCOMPLETE, { supportedMech: true, responseToken: challenge })) };
  }
  if (token[0] === 0xa1) {
    const resp = parseNegTokenResp(token);
    if (!resp.responseToken) throw new NtStatusError(Status.INVALID_PARAMETER, 'NegTokenResp without a token');
    if (isNtlm(resp.responseToken, 1)) {
      return { status: Status.MORE_PROCESSING_REQUIRED, body: response(negTokenResp(NegState.ACCEPT_INCOMPLETE, { responseToken: s.ntlm.challenge(resp.responseToken) })) };
    }
    return finish(call, s, resp.responseToken, resp.mechListMIC);
  }
  throw new NtStatusError(Status.INVALID_PARAMETER, 'unknown security token');
}

async function finish(call: Call, s: Session, msg: Buffer, mechListMIC: Buffer | null): Promise<Reply> {
  const { conn } = call;
  const auth = parseAuthenticate(msg);
  const name = auth.user;
  const authz = conn.ctx.auth;
  if (!name) throw new NtStatusError(Status.LOGON_FAILURE, 'anonymous sign-in is not allowed');
  if (authz.lockedOut(name, conn.remote)) throw new NtStatusError(Status.ACCOUNT_LOCKED_OUT);
  const user = authz.user(name);
  const hash = authz.ntHash(name);
  const result = user && hash ? s.ntlm.authenticate(msg, auth, hash) : null;
  const spnegoMic = s.mechTypesDer && s.ntlm.canSign && result;
  if (!result || (spnegoMic && mechListMIC && !s.ntlm.verifyMechList(s.mechTypesDer!, mechListMIC))) {
    authz.noteFailure(name, conn.remote, 'smb');
    throw new NtStatusError(Status.LOGON_FAILURE);
  }
  authz.noteSuccess(name, conn.remote, 'smb');
  s.user = user;
  s.userName = name;
  s.vfs = conn.ctx.vfsFor(user!);
  s.sessionKey = result.sessionKey;
  const dialect = conn.dialect;
  if (dialect >= 0x0300) {
    s.keys = deriveKeys(result.sessionKey, dialect, s.preauth);
    s.signer = { alg: conn.signingAlg, key: s.keys.signing };
  } else {
    s.signer = { alg: SigningAlg.HMAC_SHA256, key: result.sessionKey };
  }
  s.signingRequired = conn.config.signingRequired || (conn.clientSecurityMode & SecMode.SIGNING_REQUIRED) !== 0;
  if (conn.config.encryptData) {
    if (!conn.cipher || !s.keys) throw new NtStatusError(Status.ACCESS_DENIED, 'this server requires encryption');
    s.encrypt = true;
  }
  s.state = 'valid';
  const token = s.mechTypesDer ? negTokenResp(NegState.ACCEPT_COMPLETED, spnegoMic ? { mechListMIC: s.ntlm.signMechList(s.mechTypesDer) } : {}) : Buffer.alloc(0);
  return { status: Status.SUCCESS, body: response(token, s.encrypt ? SessionFlag.ENCRYPT_DATA : 0), signWith: s };
}
