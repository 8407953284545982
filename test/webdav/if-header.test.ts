// Unit tests of the If header parser/evaluator, Timeout parsing and URL decoding.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluateIf, parseIf, submittedTokens, type ResourceState } from '../../protocols/webdav/if-header.ts';
import { parseTimeout } from '../../protocols/webdav/lock.ts';
import { decodeTarget } from '../../protocols/webdav/paths.ts';

const state = (etag: string | null, tokens: string[] = []): ResourceState => ({ etag, lockTokens: new Set(tokens) });

test('parses untagged and tagged lists with Not, tokens and ETags', () => {
  assert.equal(parseIf('(<urn:uuid:a> ["e1"]) (Not <DAV:no-lock>)'), [
    { path: null, conditions: [{ not: false, token: 'urn:uuid:a' }, { not: false, etag: '"e1"' }] },
    { path: null, conditions: [{ not: true, token: 'DAV:no-lock' }] },
  ]);
  assert.equal(parseIf('<http://h:1/a%20b/c> (<t1>) </d/> ([W/"e"])').map((l) => l.path), ['/a b/c', '/d']);
  assert.equal([...submittedTokens(parseIf('(<t1>) (Not <t2>)'))], ['t1']);
  for (const bad of ['', '(', '()', '(<a)', 'x', '(<a>) <http://h/x> (<b>)', '(Nope <a>)']) assert.throws(() => parseIf(bad), bad);
});

test('evaluates: any list true, all conditions in a list true', async () => {
  const of = async (p: string) => (p === '/r' ? state('"e1"', ['t1']) : state(null));
  assert.ok(await evaluateIf(parseIf('(<t1>)'), '/r', of));
  assert.not.ok(await evaluateIf(parseIf('(<t2>)'), '/r', of));
  assert.ok(await evaluateIf(parseIf('(<t2>) (<t1> ["e1"])'), '/r', of));
  assert.not.ok(await evaluateIf(parseIf('(<t1> ["e2"])'), '/r', of));
  assert.ok(await evaluateIf(parseIf('(<t9>) (Not <DAV:no-lock>)'), '/r', of));
  assert.ok(await evaluateIf(parseIf('<http://h/r> (<t1>)'), '/other', of));
  assert.not.ok(await evaluateIf(parseIf('(["e1"])'), '/missing', of));
});

test('Timeout: Infinite and Second-N capped; anything else is 400', () => {
  assert.is(parseTimeout(undefined, 3600, 86400), 3600);
  assert.is(parseTimeout('Second-60', 3600, 86400), 60);
  assert.is(parseTimeout('Infinite, Second-4100000000', 3600, 86400), 86400);
  assert.is(parseTimeout('Second-4100000000', 3600, 86400), 86400);
  for (const bad of ['Second-', 'Second-12345678901', 'Minute-1', 'Second--1', ' , ']) assert.throws(() => parseTimeout(bad, 3600, 86400), bad);
});

test('URL decoding refuses traversal, encoded separators, NUL, fragments and bad UTF-8', () => {
  assert.equal(decodeTarget('/a%20b/c%C3%BC/'), { path: '/a b/cü', trailingSlash: true });
  assert.equal(decodeTarget('http://host:8/x?y=1'), { path: '/x', trailingSlash: false });
  for (const bad of ['/..', '/a/%2e%2e/b', '/./a', '/a%2fb', '/a%5cb', '/a%00', '/%C3%28', '/%ff', '/%', '/a#b']) assert.throws(() => decodeTarget(bad), bad);
});

test.run();
