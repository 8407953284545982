// The dispatcher driven in process: related compounds (FileId carried over, 8-byte alignment, failures
// propagated), CHANGE_NOTIFY pending then completed by CLOSE or CANCEL.
import { pino } from 'pino';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Archive } from '../../core/archive.ts';
import { StrataServer } from '../../core/server/server.ts';
import { dispatch } from '../../protocols/smb/dispatcher.ts';
import { negotiateSmb1 } from '../../protocols/smb/negotiate.ts';
import { ROUTES } from '../../protocols/smb/server.ts';
import type { Connection } from '../../protocols/smb/transport.ts';
import { withTmp } from '../helpers/tmp.ts';
import { fakeConnection } from './fake-conn.ts';
import { header } from './raw.ts';

const s = suite('smb: dispatcher');
const RELATED = 0x4;
const ONES = Buffer.alloc(16, 0xff);

function createBody(name: string, options: number): Buffer {
  const n = Buffer.from(name, 'utf16le');
  const b = Buffer.alloc(56);
  b.writeUInt16LE(57, 0);
  b.writeUInt32LE(0x80, 24);
  b.writeUInt32LE(1, 36);
  b.writeUInt32LE(options, 40);
  b.writeUInt16LE(120, 44);
  b.writeUInt16LE(n.length, 46);
  return Buffer.concat([b, n]);
}
const fileIdBody = (size: number, structure: number, idAt: number, id: Buffer) => {
  const b = Buffer.alloc(size);
  b.writeUInt16LE(structure, 0);
  id.copy(b, idAt);
  return b;
};
const pad8 = (b: Buffer) => Buffer.concat([b, Buffer.alloc((8 - (b.length % 8)) % 8)]);

/** Splits a response PDU into its compounded messages. */
function messages(pdu: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; ; ) {
    const next = pdu.readUInt32LE(off + 20);
    out.push(pdu.subarray(off, next ? off + next : pdu.length));
    if (!next) return out;
    assert.is(next % 8, 0, 'compound responses are 8-byte aligned');
    off += next;
  }
}

async function withConn(fn: (conn: Connection, sent: Buffer[]) => Promise<void>): Promise<void> {
  await withTmp(async (dir) => {
    process.env.STRATA_KDF_N = '1024';
    await Archive.init(`${dir}/ar`, { password: () => 'pw' });
    const server = new StrataServer(await Archive.open(`${dir}/ar`, { password: () => 'pw' }), {
      users: [{ name: 'u', password: 'p', home: '/', readOnly: false, snapshotCreate: true, snapshotDelete: true }],
      log: pino({ level: 'silent' }),
    });
    try {
      await server.vfs.mkdir('/dir');
      await server.vfs.writeFile('/dir/f.txt', Buffer.from('0123456789'));
      const { conn, sent } = fakeConnection(server.context('smb'), 'u');
      await fn(conn, sent);
      conn.destroy();
      await conn.idle();
    } finally {
      await server.stop();
    }
  });
}

s('related compound CREATE + QUERY_INFO + CLOSE: one reply, FileId carried, aligned', async () => {
  await withConn(async (conn, sent) => {
    const h = (cmd: number, mid: number, flags = RELATED) => header(cmd, mid, { sessionId: 1n, treeId: 1, flags });
    const qi = fileIdBody(40, 41, 24, ONES);
    qi[2] = 1;
    qi[3] = 5;
    qi.writeUInt32LE(1024, 4);
    const parts = [pad8(Buffer.concat([h(5, 0, 0), createBody('dir\\f.txt', 0x40)])), pad8(Buffer.concat([h(0x10, 1), qi])), Buffer.concat([h(6, 2), fileIdBody(24, 24, 8, ONES)])];
    parts[0]!.writeUInt32LE(parts[0]!.length, 20);
    parts[1]!.writeUInt32LE(parts[1]!.length, 20);
    await dispatch(conn, ROUTES, Buffer.concat(parts), negotiateSmb1);
    const replies = messages(sent.pop()!);
    assert.equal(replies.map((m) => m.readUInt32LE(8)), [0, 0, 0]);
    assert.is(replies[1]!.readBigUInt64LE(64 + 8 + 8), 10n, 'EndOfFile of f.txt from FileStandardInformation');
    assert.is(conn.opens.size, 0);
  });
});

s('related compound after a failed CREATE fails with the same status', async () => {
  await withConn(async (conn, sent) => {
    const first = pad8(Buffer.concat([header(5, 0, { sessionId: 1n, treeId: 1 }), createBody('nope.txt', 0)]));
    first.writeUInt32LE(first.length, 20);
    const second = Buffer.concat([header(6, 1, { sessionId: 1n, treeId: 1, flags: RELATED }), fileIdBody(24, 24, 8, ONES)]);
    await dispatch(conn, ROUTES, Buffer.concat([first, second]), negotiateSmb1);
    assert.equal(messages(sent.pop()!).map((m) => m.readUInt32LE(8)), [0xc0000034, 0xc0000034]);
  });
});

s('CHANGE_NOTIFY pends, then ends with NOTIFY_CLEANUP on CLOSE and CANCELLED on CANCEL', async () => {
  await withConn(async (conn, sent) => {
    const h = (cmd: number, mid: number) => header(cmd, mid, { sessionId: 1n, treeId: 1 });
    await dispatch(conn, ROUTES, Buffer.concat([h(5, 0), createBody('dir', 0x1)]), negotiateSmb1);
    const id = sent.pop()!.subarray(64 + 64, 64 + 80);
    await dispatch(conn, ROUTES, Buffer.concat([h(0x0f, 1), fileIdBody(32, 32, 8, id)]), negotiateSmb1);
    const interim = sent.pop()!;
    assert.is(interim.readUInt32LE(8), 0x103);
    assert.ok(interim.readUInt32LE(16) & 0x2, 'async');
    const asyncId = interim.readBigUInt64LE(32);
    const cancel = header(0x0c, 0, { sessionId: 1n, flags: 0x2 });
    cancel.writeBigUInt64LE(asyncId, 32);
    await dispatch(conn, ROUTES, Buffer.concat([cancel, Buffer.from([4, 0, 0, 0])]), negotiateSmb1);
    const cancelled = sent.pop()!;
    assert.is(cancelled.readUInt32LE(8), 0xc0000120);
    assert.is(cancelled.readBigUInt64LE(24), 1n, 'answers the CHANGE_NOTIFY MessageId');
    await dispatch(conn, ROUTES, Buffer.concat([h(0x0f, 2), fileIdBody(32, 32, 8, id)]), negotiateSmb1);
    sent.pop();
    await dispatch(conn, ROUTES, Buffer.concat([h(6, 3), fileIdBody(24, 24, 8, id)]), negotiateSmb1);
    assert.equal(sent.splice(0).map((m) => [m.readUInt32LE(8), Number(m.readBigUInt64LE(24))]), [[0x10b, 2], [0, 3]]);
  });
});

s.run();
