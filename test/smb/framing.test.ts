// The transport's framing: PDUs of every size come out whole and in order, whether the socket hands over
// 'data' chunks or reads into the connection's own buffers (a large frame straight into its frame buffer).
import type { Socket } from 'node:net';
import { pino } from 'pino';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { FrontendContext } from '../../protocols/frontend.ts';
import type { ServerConfig } from '../../protocols/smb/state.ts';
import { Connection } from '../../protocols/smb/transport.ts';
import { header } from './raw.ts';

const s = suite('smb: framing');
const WRITE = 0x09;
const READ = 0x08;
const ECHO = 0x0d;

/** A deterministic byte source (xorshift32). */
function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Small requests between large lone WRITEs (reused frame buffers) and a large non-WRITE (a buffer of its own). */
function requests(): Buffer[] {
  const sizes: Array<[number, number]> = [
    [ECHO, 4], [WRITE, 300 * 1024], [ECHO, 100], [WRITE, 8 * 1024 * 1024], [WRITE, 8 * 1024 * 1024 - 7],
    [READ, 49], [READ, 1024 * 1024], [ECHO, 4], [WRITE, 256 * 1024], [ECHO, 70_000], [WRITE, 2 * 1024 * 1024],
  ];
  const next = prng(7);
  return sizes.map(([command, body], i) => {
    const b = Buffer.alloc(body);
    for (let k = 0; k < body; k += 4096) b[k] = Math.floor(next() * 256);
    b.writeUInt32LE(i, 0);
    return Buffer.concat([header(command, i), b]);
  });
}

const framed = (pdus: Buffer[]): Buffer =>
  Buffer.concat(pdus.flatMap((p) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(p.length, 0);
    return [len, p];
  }));

/** A connection over a fake socket; every PDU it dispatches is copied into `got` (frames are reused after). */
function connection(): { conn: Connection; got: Buffer[]; data: (d: Buffer) => void } {
  const got: Buffer[] = [];
  let data: (d: Buffer) => void = () => undefined;
  const sock = {
    on(event: string, fn: (d: Buffer) => void) {
      if (event === 'data') data = fn;
    },
    setNoDelay() {},
    destroy() {},
    remoteAddress: '127.0.0.1',
  };
  const ctx = { log: pino({ level: 'silent' }) } as unknown as FrontendContext;
  const dispatch = (_: Connection, pdu: Buffer) => {
    got.push(Buffer.from(pdu));
    return new Promise<void>((resolve) => setImmediate(resolve));
  };
  const conn = new Connection(sock as unknown as Socket, {} as ServerConfig, ctx, dispatch, () => Promise.resolve());
  return { conn, got, data: (d) => data(d) };
}

function sameRequests(got: Buffer[], sent: Buffer[]): void {
  assert.is(got.length, sent.length);
  sent.forEach((p, i) => assert.ok(got[i]!.equals(p), `request ${i} (${p.length} bytes) arrives whole`));
}

s("'data' chunks of every size", async () => {
  const sent = requests();
  const bytes = framed(sent);
  const { conn, got, data } = connection();
  const next = prng(11);
  for (let pos = 0; pos < bytes.length; ) {
    const n = Math.min(bytes.length - pos, 1 + Math.floor(next() * 200_000));
    data(Buffer.from(bytes.subarray(pos, pos + n)));
    pos += n;
    if (next() < 0.1) await new Promise((resolve) => setImmediate(resolve));
  }
  await conn.idle();
  sameRequests(got, sent);
});

s('reads into the buffers the connections name (large frames straight into theirs), two connections taking turns', async () => {
  const sent = requests();
  const bytes = framed(sent);
  const conns = [connection(), connection()];
  const at = [0, 0];
  const next = prng(13);
  while (at.some((pos) => pos < bytes.length)) {
    for (const [i, { conn }] of conns.entries()) {
      if (at[i]! >= bytes.length) continue;
      const into = conn.next();
      assert.ok(into.length > 0, 'a buffer with room');
      const n = Math.min(bytes.length - at[i]!, into.length, 1 + Math.floor(next() * 3_000_000));
      bytes.copy(into, 0, at[i]!, at[i]! + n);
      into.fill(0xee, n);
      conn.received(n, into);
      at[i] = at[i]! + n;
    }
    if (next() < 0.1) await new Promise((resolve) => setImmediate(resolve));
  }
  for (const { conn, got } of conns) {
    await conn.idle();
    sameRequests(got, sent);
  }
});

s.run();
