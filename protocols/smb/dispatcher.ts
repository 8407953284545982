// Request dispatch: transform decryption, compound splitting (related/unrelated, 8-byte aligned), credit
// checks, session/tree resolution, signature checks, handler calls, and the signed/encrypted responses.
import { isTransform, transformSessionId, decryptMessage, encryptMessage, sign, signature, type Signer } from './crypto.ts';
import { timingSafeEqual } from 'node:crypto';
import { partsLength } from '../../core/files/content.ts';
import { isVfsError } from '../../core/errors.ts';
import { toNtStatus } from './errors.ts';
import { Command, decodeHeader, encodeResponse, errorBody, HeaderFlag, type Header } from './header.ts';
import { NtStatusError, Status } from './ntstatus.ts';
import { WireError, Reader } from './wire.ts';
import type { Call, Handler } from './call.ts';
import type { Reply, Session } from './state.ts';
import type { AsyncRequest, Connection } from './transport.ts';

/** What a command needs resolved before its handler runs. */
export interface Route {
  handler: Handler;
  needs: 'none' | 'session' | 'tree';
}

const COMMAND_NAMES = Object.fromEntries(Object.entries(Command).map(([k, v]) => [v, k])) as Record<number, string>;
const ALL_ONES = 0xffffffffffffffffn;

interface Built {
  header: Header;
  reply: Reply;
  status: number;
  credits: number;
  signer: Signer | null;
  sessionId: bigint;
  treeId: number;
}

interface Related {
  sessionId: bigint;
  treeId: number;
  fileId: bigint | null;
  failed: number | null;
}

/** Handles one PDU from `conn` with the routes given. */
export async function dispatch(conn: Connection, routes: Map<number, Route>, pdu: Buffer, smb1: (conn: Connection, pdu: Buffer) => void): Promise<void> {
  if (pdu.length >= 4 && pdu.readUInt32BE(0) === 0xff534d42) return smb1(conn, pdu);
  let encSession: Session | null = null;
  if (isTransform(pdu)) {
    encSession = conn.sessions.get(transformSessionId(pdu)) ?? null;
    if (!encSession?.keys || !conn.cipher) return conn.destroy();
    try {
      pdu = decryptMessage(conn.cipher, encSession.keys.serverIn, pdu);
    } catch {
      conn.ctx.log.warn({ remote: conn.remote }, 'SMB transform failed to decrypt; closing');
      return conn.destroy();
    }
  }
  await runFrom(conn, routes, pdu, 0, encSession, null, []);
}

/**
 * Handles the requests of a PDU from offset `off` (null: none left) and sends their responses. A request
 * that goes async (a Reply with `later`) sends what is built so far plus its interim response; the rest of
 * the compound then runs once its final response is known.
 */
async function runFrom(conn: Connection, routes: Map<number, Route>, pdu: Buffer, off: number | null, encSession: Session | null, related: Related | null, built: Built[]): Promise<void> {
  while (off !== null) {
    let header: Header;
    try {
      header = decodeHeader(pdu.subarray(off));
    } catch {
      return conn.destroy();
    }
    const next = header.nextCommand;
    const end = next ? off + next : pdu.length;
    if (next && (next % 8 !== 0 || next < 64 || end > pdu.length)) return conn.destroy();
    const msg = pdu.subarray(off, end);
    off = next ? end : null;
    if (header.command === Command.CANCEL) {
      const cancel = routes.get(Command.CANCEL);
      if (cancel) await cancel.handler(callFor(conn, header, msg, encSession !== null, null, null, null)).catch(() => undefined);
      continue;
    }
    if (!conn.credits.consume(header.messageId, conn.dialect > 0x0202 ? header.creditCharge : 1)) {
      conn.ctx.log.warn({ remote: conn.remote, messageId: String(header.messageId) }, 'SMB MessageId outside the credit window; closing');
      return conn.destroy();
    }
    const b = await handleOne(conn, routes, header, msg, encSession, related);
    built.push(b);
    const later = b.reply.later;
    if (later && b.reply.asyncId !== undefined) {
      send(conn, built, encSession);
      const rest = off;
      conn.track(finishLater(conn, b, later, encSession).then((fin) => (fin ? runFrom(conn, routes, pdu, rest, encSession, relatedAfter(fin, related), [fin]) : undefined)));
      return;
    }
    related = relatedAfter(b, related);
  }
  if (built.length) send(conn, built, encSession);
}

/** Refusing to go async inside a compound (CHANGE_NOTIFY) does not fail the related requests after it (as Windows). */
const ASYNC_IN_COMPOUND = 0xc00000e5;

function relatedAfter(b: Built, prev: Related | null): Related {
  const failed = b.status >>> 30 === 3 && b.status !== Status.MORE_PROCESSING_REQUIRED && b.status !== ASYNC_IN_COMPOUND;
  return { sessionId: b.sessionId, treeId: b.treeId, fileId: b.reply.fileId ?? prev?.fileId ?? null, failed: failed ? b.status : null };
}

/**
 * Runs the async part of a request whose interim response went out, and builds its final response; null
 * when it was cancelled or the connection closed meanwhile (an open it made is then released).
 */
async function finishLater(conn: Connection, interim: Built, later: () => Promise<Reply>, encSession: Session | null): Promise<Built | null> {
  const h = interim.header;
  const asyncId = interim.reply.asyncId!;
  conn.pending.set(asyncId, { asyncId, messageId: h.messageId, command: h.command, sessionId: interim.sessionId, treeId: interim.treeId, openId: 0n, encrypted: encSession !== null });
  let reply: Reply;
  try {
    reply = await later();
  } catch (err) {
    if (!(err instanceof NtStatusError) && !(err instanceof WireError) && !isVfsError(err)) conn.ctx.log.error({ req: requestId(conn, h), err, command: COMMAND_NAMES[h.command] }, 'SMB handler failed');
    reply = { status: toNtStatus(err), body: errorBody(err instanceof NtStatusError ? err.data : undefined) };
  }
  if (!conn.pending.delete(asyncId) || conn.closed) {
    const made = reply.fileId !== undefined ? conn.opens.get(reply.fileId) : undefined;
    if (made) await conn.releaseOpen(made).catch(() => undefined);
    return null;
  }
  const status = reply.status ?? Status.SUCCESS;
  const session = conn.sessions.get(interim.sessionId);
  const signer = !encSession && session?.signer && (h.flags & HeaderFlag.SIGNED || session.signingRequired) ? session.signer : null;
  return { ...interim, reply: { ...reply, asyncId }, status, credits: 0, signer };
}

function callFor(conn: Connection, header: Header, msg: Buffer, encrypted: boolean, session: Session | null, tree: Call['tree'], relatedFileId: bigint | null): Call {
  return { conn, req: { header, msg, encrypted }, r: new Reader(msg), session, tree, relatedFileId };
}

async function handleOne(conn: Connection, routes: Map<number, Route>, h: Header, msg: Buffer, encSession: Session | null, prev: Related | null): Promise<Built> {
  const started = process.hrtime.bigint();
  const isRelated = (h.flags & HeaderFlag.RELATED_OPERATIONS) !== 0;
  const sessionId = isRelated && prev && h.sessionId === ALL_ONES ? prev.sessionId : h.sessionId;
  const treeId = isRelated && prev && h.treeId === 0xffffffff ? prev.treeId : h.treeId;
  const session = sessionId ? conn.sessions.get(sessionId) ?? null : null;
  let reply: Reply;
  let status: number;
  let detail: string | undefined;
  try {
    if (isRelated && prev?.failed) throw new NtStatusError(prev.failed);
    reply = await route(conn, routes, h, msg, session, treeId, encSession, isRelated ? prev?.fileId ?? null : null);
    status = reply.status ?? Status.SUCCESS;
  } catch (err) {
    status = toNtStatus(err);
    detail = (err as Error).message;
    if (!(err instanceof NtStatusError) && !(err instanceof WireError) && !isVfsError(err)) conn.ctx.log.error({ req: requestId(conn, h), err, command: COMMAND_NAMES[h.command] }, 'SMB handler failed');
    reply = { status, body: errorBody(err instanceof NtStatusError ? err.data : undefined) };
  }
  const signedReq = (h.flags & HeaderFlag.SIGNED) !== 0;
  const signSession = reply.signWith ?? session;
  const signer = status !== Status.PENDING && !encSession && signSession?.signer && (reply.signWith || signedReq || signSession.signingRequired) ? signSession.signer : null;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const ok = status >>> 30 !== 3 || status === Status.MORE_PROCESSING_REQUIRED;
  if (!ok || status !== Status.SUCCESS) conn.ctx.log.debug({ req: requestId(conn, h), op: COMMAND_NAMES[h.command], status: `0x${status.toString(16)}`, detail }, 'SMB request not plainly successful');
  conn.ctx.observe({ protocol: 'smb', op: COMMAND_NAMES[h.command] ?? `0x${h.command.toString(16)}`, ok, ...(ok ? {} : { error: `0x${status.toString(16)}` }), seconds, bytesIn: msg.length, bytesOut: reply.body.length + partsLength(reply.data ?? []) });
  // Like Windows Server 2016 and Samba: the credits charged come back, plus what was asked beyond one, so a
  // client that asks for one more than each large READ or WRITE costs can keep several of them in flight.
  const credits = conn.credits.grant(Math.max(1, h.creditCharge) + Math.max(1, h.credits) - 1);
  return { header: h, reply, status, credits, signer, sessionId: reply.sessionId ?? sessionId, treeId: reply.treeId ?? treeId };
}

/** A request id for logs: the connection's remote address and the request's MessageId. */
function requestId(conn: Connection, h: Header): string {
  return `${conn.remote}#${h.messageId}`;
}

async function route(conn: Connection, routes: Map<number, Route>, h: Header, msg: Buffer, session: Session | null, treeId: number, encSession: Session | null, relatedFileId: bigint | null): Promise<Reply> {
  if (conn.dialect === 0 && h.command !== Command.NEGOTIATE) throw new NtStatusError(Status.INVALID_PARAMETER, 'negotiate first');
  const rt = routes.get(h.command);
  if (!rt) throw new NtStatusError(Status.NOT_SUPPORTED);
  if (session && session.signer && !encSession && session.state === 'valid') {
    if (h.flags & HeaderFlag.SIGNED) {
      if (!timingSafeEqual(signature(session.signer, msg), h.signature)) throw new NtStatusError(Status.ACCESS_DENIED, 'bad signature');
    } else if (session.signingRequired && h.command !== Command.NEGOTIATE) {
      throw new NtStatusError(Status.ACCESS_DENIED, 'unsigned request on a signed session');
    }
  }
  if (rt.needs !== 'none') {
    if (!session || session.state !== 'valid') throw new NtStatusError(Status.USER_SESSION_DELETED);
    if (session.encrypt && !encSession) throw new NtStatusError(Status.ACCESS_DENIED, 'session requires encryption');
  }
  let tree = null;
  if (rt.needs === 'tree') {
    tree = session!.trees.get(treeId) ?? null;
    if (!tree) throw new NtStatusError(Status.NETWORK_NAME_DELETED);
    if (tree.encrypt && !encSession) throw new NtStatusError(Status.ACCESS_DENIED, 'share requires encryption');
  }
  return rt.handler(callFor(conn, h, msg, encSession !== null, session, tree, relatedFileId));
}

function send(conn: Connection, built: Built[], encSession: Session | null): void {
  const msgs: Buffer[] = [];
  built.forEach((b, i) => {
    const last = i === built.length - 1;
    const head = encodeResponse(
      {
        status: b.status,
        command: b.header.command,
        credits: b.credits,
        flags: (b.header.flags & HeaderFlag.RELATED_OPERATIONS) | (b.signer ? HeaderFlag.SIGNED : 0),
        messageId: b.header.messageId,
        treeId: b.treeId,
        sessionId: b.sessionId,
        creditCharge: b.header.creditCharge,
        ...(b.reply.asyncId !== undefined ? { asyncId: b.reply.asyncId } : {}),
      },
      b.reply.body,
    );
    let parts = b.reply.data?.length ? [head, ...b.reply.data] : [head];
    if (!last) {
      const len = partsLength(parts);
      const msg = Buffer.concat([...parts, Buffer.alloc((8 - (len % 8)) % 8)]);
      msg.writeUInt32LE(msg.length, 20);
      parts = [msg];
    }
    if (b.signer) sign(b.signer, parts);
    b.reply.sent?.(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    msgs.push(...parts);
  });
  const done = () => built.forEach((b) => b.reply.done?.());
  if (encSession?.keys) {
    const sealed = encryptMessage(conn.cipher, encSession.keys.serverOut, encSession.id, msgs, conn.nonce());
    done();
    conn.send(...sealed);
  } else conn.sendThen(msgs, done);
}

/** Sends the final response of a pending async request (CHANGE_NOTIFY completed or cancelled). */
export function completeAsync(conn: Connection, a: AsyncRequest, status: number, body: Buffer): void {
  conn.pending.delete(a.asyncId);
  const session = conn.sessions.get(a.sessionId);
  const msg = encodeResponse(
    { status, command: a.command, credits: 0, flags: session?.signer && !a.encrypted ? HeaderFlag.SIGNED : 0, messageId: a.messageId, treeId: 0, sessionId: a.sessionId, creditCharge: 0, asyncId: a.asyncId },
    body,
  );
  if (session?.signer && !a.encrypted) sign(session.signer, msg);
  conn.send(...(a.encrypted && session?.keys ? encryptMessage(conn.cipher, session.keys.serverOut, session.id, msg, conn.nonce()) : [msg]));
}
