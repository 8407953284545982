// The 64-byte SMB2 header ([MS-SMB2] 2.2.1): decoding requests, encoding responses, sync and async forms.
import { Reader, WireError } from './wire.ts';

/** SMB2 command codes. */
export const Command = {
  NEGOTIATE: 0x00,
  SESSION_SETUP: 0x01,
  LOGOFF: 0x02,
  TREE_CONNECT: 0x03,
  TREE_DISCONNECT: 0x04,
  CREATE: 0x05,
  CLOSE: 0x06,
  FLUSH: 0x07,
  READ: 0x08,
  WRITE: 0x09,
  LOCK: 0x0a,
  IOCTL: 0x0b,
  CANCEL: 0x0c,
  ECHO: 0x0d,
  QUERY_DIRECTORY: 0x0e,
  CHANGE_NOTIFY: 0x0f,
  QUERY_INFO: 0x10,
  SET_INFO: 0x11,
  OPLOCK_BREAK: 0x12,
} as const;

/** Header flags. */
export const HeaderFlag = {
  SERVER_TO_REDIR: 0x1,
  ASYNC_COMMAND: 0x2,
  RELATED_OPERATIONS: 0x4,
  SIGNED: 0x8,
  DFS_OPERATIONS: 0x10000000,
  REPLAY_OPERATION: 0x20000000,
} as const;

/** The SMB2 protocol id 0xFE 'SMB' as a little-endian u32. */
export const SMB2_MAGIC = 0x424d53fe;
/** Header size. */
export const HEADER_SIZE = 64;

/** A decoded request header. */
export interface Header {
  creditCharge: number;
  /** ChannelSequence/Status field. */
  status: number;
  command: number;
  credits: number;
  flags: number;
  nextCommand: number;
  messageId: bigint;
  asyncId: bigint;
  treeId: number;
  sessionId: bigint;
  signature: Buffer;
}

/** Decodes the header at the start of `msg`. */
export function decodeHeader(msg: Buffer): Header {
  if (msg.length < HEADER_SIZE) throw new WireError('message shorter than the SMB2 header');
  const r = new Reader(msg);
  if (r.u32(0) !== SMB2_MAGIC || r.u16(4) !== 64) throw new WireError('not an SMB2 header');
  const flags = r.u32(16);
  const async = (flags & HeaderFlag.ASYNC_COMMAND) !== 0;
  return {
    creditCharge: r.u16(6),
    status: r.u32(8),
    command: r.u16(12),
    credits: r.u16(14),
    flags,
    nextCommand: r.u32(20),
    messageId: r.u64(24),
    asyncId: async ? r.u64(32) : 0n,
    treeId: async ? 0 : r.u32(36),
    sessionId: r.u64(40),
    signature: r.bytes(48, 16),
  };
}

/** Fields of a response header. */
export interface ResponseHeader {
  status: number;
  command: number;
  credits: number;
  flags: number;
  messageId: bigint;
  treeId: number;
  sessionId: bigint;
  creditCharge: number;
  /** Set for async (interim and final) responses. */
  asyncId?: bigint;
}

/** Encodes a response header followed by `body`. */
export function encodeResponse(h: ResponseHeader, body: Buffer): Buffer {
  const msg = Buffer.alloc(HEADER_SIZE + body.length);
  msg.writeUInt32LE(SMB2_MAGIC, 0);
  msg.writeUInt16LE(64, 4);
  msg.writeUInt16LE(h.creditCharge, 6);
  msg.writeUInt32LE(h.status >>> 0, 8);
  msg.writeUInt16LE(h.command, 12);
  msg.writeUInt16LE(h.credits, 14);
  let flags = h.flags | HeaderFlag.SERVER_TO_REDIR;
  if (h.asyncId !== undefined) flags |= HeaderFlag.ASYNC_COMMAND;
  msg.writeUInt32LE(flags >>> 0, 16);
  msg.writeBigUInt64LE(h.messageId, 24);
  if (h.asyncId !== undefined) msg.writeBigUInt64LE(h.asyncId, 32);
  else {
    msg.writeUInt32LE(0xfeff, 32);
    msg.writeUInt32LE(h.treeId >>> 0, 36);
  }
  msg.writeBigUInt64LE(h.sessionId, 40);
  body.copy(msg, HEADER_SIZE);
  return msg;
}

/** The body of an error response ([MS-SMB2] 2.2.2) carrying optional ErrorData. */
export function errorBody(data?: Buffer): Buffer {
  const b = Buffer.alloc(8 + Math.max(1, data?.length ?? 0));
  b.writeUInt16LE(9, 0);
  if (data) {
    b.writeUInt32LE(data.length, 4);
    data.copy(b, 8);
  }
  return b;
}
