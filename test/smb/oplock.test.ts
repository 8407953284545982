// Oplocks, leases and CHANGE_NOTIFY through Samba's smbtorture (a real SMB2 client with break handlers):
// a selection of its smb2.oplock / smb2.lease / smb2.notify tests that strata passes, with a short break timeout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run, startSmb, type SmbFixture } from './harness.ts';

/** Break timeout of the server under test (smbtorture's batch22a is told the same with torture:oplocktimeout). */
const BREAK_TIMEOUT_S = 3;

async function torture(f: SmbFixture, name: string, extra: string[] = []): Promise<void> {
  const r = await run('smbtorture', [`//127.0.0.1/share`, '-p', String(f.port), '-U', `${f.user}%${f.pass}`, ...extra, name], { timeoutMs: 120_000 });
  const results = r.out.split('\n').filter((l) => /^(success|failure|error|skip):/.test(l));
  assert.ok(results.length > 0, `${name}: no result\n${r.out.slice(-2000)}`);
  const bad = results.filter((l) => !l.startsWith('success:'));
  assert.equal(bad, [], `${name}:\n${r.out.slice(-3000)}`);
}

const TESTS = [
  // share modes + batch oplocks: the break comes first, then the sharing violation (or the open, once the holder closed)
  'smb2.oplock.batch1', 'smb2.oplock.batch3', 'smb2.oplock.batch9', 'smb2.oplock.exclusive1', 'smb2.oplock.exclusive5',
  // level II self-break on write, acks of breaks that are not in progress
  'smb2.oplock.batch10', 'smb2.oplock.levelii500',
  // leases: upgrade matrix, write breaks other leases only, a CREATE pending until the ack, ack validation
  // (smb2.lease.break and smb2.lease.oplock pass too, but take ~55 s: they run in test/smb/smbtorture.sh)
  'smb2.lease.upgrade2', 'smb2.lease.nobreakself', 'smb2.lease.breaking1', 'smb2.lease.breaking2',
  // CHANGE_NOTIFY reporting changes made through another tree connect, WATCH_TREE, tree disconnect
  'smb2.notify.dir', 'smb2.notify.tcon', 'smb2.notify.tdis',
];

let f: SmbFixture;
test.before(async () => {
  f = await startSmb({ signingRequired: false, oplockBreakTimeoutMs: BREAK_TIMEOUT_S * 1000 });
});
test.after(async () => {
  await f?.stop();
});

for (const name of TESTS) test(name, () => torture(f, name));

test('a break nobody acknowledges times out and the waiting CREATE proceeds (smb2.oplock.batch22a)', () =>
  torture(f, 'smb2.oplock.batch22a', [`--option=torture:oplocktimeout=${BREAK_TIMEOUT_S}`]));

test.run();
