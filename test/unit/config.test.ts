// strata.yaml: valid files parse with defaults; unknown keys and bad values name their line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../core/server/config.ts';

test('a full configuration parses, with defaults filled in', () => {
  const c = parseConfig(`
webdav:
  listen: 127.0.0.1:8080
ftp:
  listen: 0.0.0.0:21
  passive_ports: 40000-40100
smb:
  listen: "[::1]:445"
users:
  - name: alice
    password: s3cret
    home: /alice
snapshots:
  every: 15m
`);
  assert.is(c.webdav?.allow_basic_over_http, false);
  assert.is(c.smb?.share, 'share');
  assert.is(c.users[0]?.snapshots, 'create');
  assert.is(c.snapshots?.every, '15m');
});

test('an unknown key is refused with its line', () => {
  assert.throws(() => parseConfig('webdav:\n  listen: 127.0.0.1:1\n  lisen: x\n', 'my.yaml'), /my\.yaml:3: webdav: unknown key 'lisen'/);
});

test('a bad value is refused with its line', () => {
  assert.throws(() => parseConfig('ftp:\n  listen: nowhere\n'), /strata\.yaml:2: ftp\.listen: expected HOST:PORT/);
  assert.throws(() => parseConfig('users:\n  - name: a\n    password: b\n    read_only: maybe\n'), /:4: users\.0\.read_only: Expected boolean/);
});

test('broken YAML is refused with its line', () => {
  assert.throws(() => parseConfig('webdav:\n  listen: [\n'), /strata\.yaml:\d+:/);
});

test.run();
