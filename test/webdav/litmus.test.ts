// litmus (the neon WebDAV conformance tool) against strata: every test of basic, copymove, props,
// locks and http must pass.
import { spawn } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startDav } from './server-fixture.ts';

/** Runs litmus and returns its whole output. */
function runLitmus(url: string, user: string, pass: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('litmus', ['-k', url, user, pass], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

test('litmus: basic, copymove, props, locks and http all pass', async () => {
  const dav = await startDav();
  try {
    const mk = await fetch(`${dav.url}litmus/`, { method: 'MKCOL', headers: { Authorization: dav.authHeader } });
    assert.is(mk.status, 201);
    const out = await runLitmus(`${dav.url}litmus/`, dav.user, dav.pass);
    const summaries = [...out.matchAll(/summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed/g)].map((m) => ({ suite: m[1]!, run: Number(m[2]), passed: Number(m[3]), failed: Number(m[4]) }));
    assert.equal(summaries.map((s) => s.suite), ['basic', 'copymove', 'props', 'locks', 'http'], out);
    for (const s of summaries) {
      assert.is(s.failed, 0, `${s.suite}: ${s.failed} failed\n${out}`);
      assert.ok(s.run >= 4 && s.passed === s.run, `${s.suite}: ${s.passed}/${s.run}`);
    }
    assert.is(summaries.reduce((n, s) => n + s.run, 0), 104);
    assert.not.match(out, /WARNING/, 'no litmus warnings');
  } finally {
    await dav.close();
  }
});

test.run();
