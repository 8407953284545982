// Bad input: truncated, oversized and garbage PDUs, unknown commands, unauthenticated requests, credit
// abuse, and a bounded mutation fuzz of every command on a signed-in session. The server must answer
// with an NTSTATUS or close that one connection, never crash, never log an unexpected handler failure.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Archive } from '../../core/archive.ts';
import { StrataServer } from '../../core/server/server.ts';
import { dispatch } from '../../protocols/smb/dispatcher.ts';
import { negotiateSmb1 } from '../../protocols/smb/negotiate.ts';
import { ROUTES } from '../../protocols/smb/server.ts';
import { fakeConnection } from './fake-conn.ts';
import { withTmp } from '../helpers/tmp.ts';
import { smbclient, startSmb, type SmbFixture } from './harness.ts';
import { header, negotiateRequest, RawConn, statusOf } from './raw.ts';

const s = suite<{ f: SmbFixture }>('smb: malformed input');
s.before(async (ctx) => {
  ctx.f = await startSmb();
});
s.after(async (ctx) => {
  await ctx.f?.stop();
});

async function negotiated(port: number): Promise<RawConn> {
  const c = await RawConn.open(port);
  c.send(negotiateRequest(0));
  const r = await c.recv();
  assert.ok(r && statusOf(r) === 0, 'negotiate');
  return c;
}

s('unknown command → STATUS_NOT_SUPPORTED; the connection keeps working', async ({ f }) => {
  const c = await negotiated(f.port);
  try {
    c.send(Buffer.concat([header(0x77, 1), Buffer.alloc(8)]));
    assert.is(statusOf((await c.recv())!), 0xc00000bb);
    c.send(Buffer.concat([header(0x0d, 2), Buffer.from([4, 0, 0, 0])]));
    assert.is(statusOf((await c.recv())!), 0);
  } finally {
    c.close();
  }
});

s('requests without a session → STATUS_USER_SESSION_DELETED', async ({ f }) => {
  const c = await negotiated(f.port);
  try {
    const tc = Buffer.alloc(9);
    tc.writeUInt16LE(9, 0);
    c.send(Buffer.concat([header(0x03, 1), tc]));
    assert.is(statusOf((await c.recv())!), 0xc0000203);
    c.send(Buffer.concat([header(0x05, 2, { sessionId: 12345n, treeId: 1 }), Buffer.alloc(57)]));
    assert.is(statusOf((await c.recv())!), 0xc0000203);
  } finally {
    c.close();
  }
});

s('truncated NEGOTIATE → STATUS_INVALID_PARAMETER; a command before NEGOTIATE is refused', async ({ f }) => {
  const c = await RawConn.open(f.port);
  try {
    const bad = negotiateRequest(0).subarray(0, 64 + 36);
    c.send(bad);
    assert.is(statusOf((await c.recv())!), 0xc000000d);
  } finally {
    c.close();
  }
  const d = await RawConn.open(f.port);
  try {
    d.send(Buffer.concat([header(0x0d, 0), Buffer.from([4, 0, 0, 0])]));
    assert.is(statusOf((await d.recv())!), 0xc000000d);
  } finally {
    d.close();
  }
});

s('oversized frame, garbage, reused MessageId and ids beyond the credits close the connection', async ({ f }) => {
  const cases: Array<(c: RawConn) => void> = [
    (c) => c.sendRaw(Buffer.from([0, 0xff, 0xff, 0xff, 1, 2, 3])),
    (c) => c.send(Buffer.from('this is not smb at all, not even close')),
    (c) => c.send(negotiateRequest(0)) ?? c.send(negotiateRequest(0)),
    (c) => c.send(Buffer.concat([header(0x0d, 999), Buffer.from([4, 0, 0, 0])])),
  ];
  for (const act of cases) {
    const c = await RawConn.open(f.port);
    try {
      act(c);
      let closed = false;
      for (let i = 0; i < 3 && !closed; i++) closed = (await c.recv(2000)) === null;
      assert.ok(closed, 'connection closed');
    } finally {
      c.close();
    }
  }
  const ok = await smbclient(f, 'ls');
  assert.is(ok.code, 0, ok.out);
});

s('fuzz: 300 mutated NEGOTIATE/SESSION_SETUP PDUs from fresh connections; the server keeps serving', async ({ f }) => {
  let seed = 12345;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  const spnego = Buffer.from('604806062b0601050502a03e303ca00e300c060a2b06010401823702020aa22a04284e544c4d5353500001000000978208e2000000000000000000000000000000000a00614a0000000f', 'hex');
  const ss = Buffer.alloc(24);
  ss.writeUInt16LE(25, 0);
  ss.writeUInt16LE(64 + 24, 12);
  ss.writeUInt16LE(spnego.length, 14);
  const templates = [negotiateRequest(0), Buffer.concat([header(0x01, 1), ss, spnego])];
  for (let i = 0; i < 300; i++) {
    const c = await RawConn.open(f.port);
    try {
      const tpl = templates[i % 2]!;
      if (i % 2) {
        c.send(negotiateRequest(0));
        await c.recv();
      }
      const m = Buffer.from(tpl);
      for (let k = 0; k < 1 + rnd(6); k++) m[64 + rnd(m.length - 64)] = rnd(256);
      c.send(rnd(5) === 0 ? m.subarray(0, 64 + rnd(m.length - 64)) : m);
      await c.recv(1000);
    } finally {
      c.close();
    }
  }
  const ok = await smbclient(f, 'ls');
  assert.is(ok.code, 0, ok.out);
});

/** Templates of every command's request for a signed-in session (tree 1), FileId `fid`. */
function commandTemplates(fid: bigint): Buffer[] {
  const id = Buffer.alloc(16);
  id.writeBigUInt64LE(fid, 0);
  id.writeBigUInt64LE(fid, 8);
  const name = Buffer.from('dir\\f.txt', 'utf16le');
  const create = Buffer.alloc(56);
  create.writeUInt16LE(57, 0);
  create.writeUInt32LE(0x12019f, 24);
  create.writeUInt32LE(3, 36);
  create.writeUInt16LE(120, 44);
  create.writeUInt16LE(name.length, 46);
  const read = Buffer.alloc(49);
  read.writeUInt16LE(49, 0);
  read.writeUInt32LE(100, 4);
  id.copy(read, 16);
  const write = Buffer.alloc(48);
  write.writeUInt16LE(49, 0);
  write.writeUInt16LE(112, 2);
  write.writeUInt32LE(5, 4);
  id.copy(write, 16);
  const qi = Buffer.alloc(40);
  qi.writeUInt16LE(41, 0);
  qi[2] = 1;
  qi[3] = 18;
  qi.writeUInt32LE(4096, 4);
  id.copy(qi, 24);
  const qd = Buffer.alloc(32);
  qd.writeUInt16LE(33, 0);
  qd[2] = 37;
  qd.writeUInt16LE(96, 24);
  qd.writeUInt16LE(2, 26);
  qd.writeUInt32LE(65536, 28);
  id.copy(qd, 8);
  const si = Buffer.alloc(32);
  si.writeUInt16LE(33, 0);
  si[2] = 1;
  si[3] = 20;
  si.writeUInt32LE(8, 4);
  si.writeUInt16LE(96, 8);
  id.copy(si, 16);
  const ioctl = Buffer.alloc(56);
  ioctl.writeUInt16LE(57, 0);
  ioctl.writeUInt32LE(0x00144064, 4);
  id.copy(ioctl, 8);
  ioctl.writeUInt32LE(65536, 44);
  ioctl.writeUInt32LE(1, 48);
  const lock = Buffer.alloc(48);
  lock.writeUInt16LE(48, 0);
  lock.writeUInt16LE(1, 2);
  id.copy(lock, 8);
  lock.writeUInt32LE(10, 32);
  lock.writeUInt32LE(2, 40);
  const close = Buffer.alloc(24);
  close.writeUInt16LE(24, 0);
  id.copy(close, 8);
  const notify = Buffer.alloc(32);
  notify.writeUInt16LE(32, 0);
  id.copy(notify, 8);
  const flush = Buffer.from(close);
  const batch = Buffer.from(create);
  batch[3] = 9;
  const oplockAck = Buffer.alloc(24);
  oplockAck.writeUInt16LE(24, 0);
  oplockAck[2] = 1;
  id.copy(oplockAck, 8);
  const leaseAck = Buffer.alloc(36);
  leaseAck.writeUInt16LE(36, 0);
  leaseAck.writeUInt32LE(3, 24);
  const h = (cmd: number) => header(cmd, 0, { sessionId: 1n, treeId: 1 });
  return [
    Buffer.concat([h(0x05), create, name]),
    Buffer.concat([h(0x08), read]),
    Buffer.concat([h(0x09), write, Buffer.from('hello')]),
    Buffer.concat([h(0x10), qi]),
    Buffer.concat([h(0x0e), qd, Buffer.from('*\0', 'latin1')]),
    Buffer.concat([h(0x11), si, Buffer.alloc(8, 1)]),
    Buffer.concat([h(0x0b), ioctl]),
    Buffer.concat([h(0x0a), lock]),
    Buffer.concat([h(0x0f), notify]),
    Buffer.concat([h(0x07), flush]),
    Buffer.concat([h(0x06), close]),
    Buffer.concat([h(0x05), batch, name]),
    Buffer.concat([h(0x12), oplockAck]),
    Buffer.concat([h(0x12), leaseAck]),
  ];
}

s('fuzz: 2,000 mutated requests of every command on a signed-in session, no unexpected failure', async () => {
  await withTmp(async (dir) => {
    process.env.STRATA_KDF_N = '1024';
    await Archive.init(`${dir}/ar`, { password: () => 'pw' });
    const archive = await Archive.open(`${dir}/ar`, { password: () => 'pw' });
    const errors: string[] = [];
    const sink = new Writable({ write: (chunk, _e, cb) => (errors.push(String(chunk)), cb()) });
    const server = new StrataServer(archive, { users: [{ name: 'u', password: 'p', home: '/', readOnly: false, snapshotCreate: true, snapshotDelete: true }], log: pino({ level: 'error' }, sink) });
    try {
      const ctx = server.context('smb');
      await server.vfs.mkdir('/dir');
      await server.vfs.writeFile('/dir/f.txt', Buffer.from('some content'));
      let seed = 99;
      const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
      const fake = () => fakeConnection(ctx, 'u').conn;
      let conn = fake();
      let mid = 0;
      for (let i = 0; i < 2000; i++) {
        if (conn.closed) {
          conn = fake();
          mid = 0;
        }
        const fid = [...conn.opens.keys()].pop() ?? 1n;
        const templates = commandTemplates(fid);
        const m = Buffer.from(templates[rnd(templates.length)]!);
        m.writeBigUInt64LE(BigInt(mid++), 24);
        if (i % 4 !== 0) for (let k = 0; k < 1 + rnd(4); k++) m[64 + rnd(m.length - 64)] = rnd(256);
        // Keep WRITE offsets and SET_INFO sizes under 16 MiB: the Vfs fills holes byte by byte (a core limit).
        if (m.readUInt16LE(12) === 0x09) m.fill(0, 64 + 11, 64 + 16);
        if (m.readUInt16LE(12) === 0x11 && m.length >= 64 + 40) m.fill(0, 64 + 35, 64 + 40);
        await dispatch(conn, ROUTES, rnd(10) === 0 ? m.subarray(0, 64 + rnd(m.length - 64)) : m, negotiateSmb1);
      }
      conn.destroy();
      await conn.idle();
      assert.equal(errors, []);
    } finally {
      await server.stop();
    }
  });
});

s.run();
