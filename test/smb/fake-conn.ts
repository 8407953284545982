// An in-process SMB connection with a signed-in session (no signing) on tree 1, for driving the dispatcher
// directly: what it would send is collected in `sent`.
import type { Socket } from 'node:net';
import type { FrontendContext } from '../../protocols/frontend.ts';
import { releaseOpen } from '../../protocols/smb/close.ts';
import { NtlmServer } from '../../protocols/smb/ntlm.ts';
import { SmbServer } from '../../protocols/smb/server.ts';
import { Connection } from '../../protocols/smb/transport.ts';

/** A connection over a fake socket, dialect 2.1, with session 1 of `user` and tree 1 on the share. */
export function fakeConnection(ctx: FrontendContext, user: string): { conn: Connection; sent: Buffer[] } {
  const sent: Buffer[] = [];
  let pending: Buffer[] = [];
  const sock = {
    on() {},
    setNoDelay() {},
    cork() {},
    uncork() {
      if (pending.length) sent.push(Buffer.concat(pending).subarray(4));
      pending = [];
    },
    write(b: Buffer) {
      pending.push(b);
    },
    destroy() {},
    remoteAddress: '127.0.0.1',
    localAddress: '127.0.0.1',
  };
  const config = new SmbServer(ctx, {}).config;
  const conn = new Connection(sock as unknown as Socket, config, ctx, () => Promise.resolve(), releaseOpen);
  conn.dialect = 0x0210;
  const u = ctx.auth.user(user)!;
  conn.sessions.set(1n, {
    id: 1n, state: 'valid', ntlm: new NtlmServer({ netbiosName: 'S', dnsName: 's' }, false), mechTypesDer: null, user: u, userName: user,
    vfs: ctx.vfsFor(u), sessionKey: null, signer: null, keys: null, signingRequired: false, encrypt: false, preauth: null,
    trees: new Map([[1, { id: 1, kind: 'disk' as const, encrypt: false }]]),
  });
  return { conn, sent };
}
