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
mount:
  path: /mnt/strata
`);
  assert.is(c.webdav?.allow_basic_over_http, false);
  assert.is(c.mount?.cache_seconds, 1);
  assert.is(c.mount?.stat_cache_seconds, 30);
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
  assert.throws(() => parseConfig('mount:\n  path: /m\n  cache_seconds: 5\n'), /strata\.yaml:3: mount\.cache_seconds: Number must be less than or equal to 1/);
});

test('broken YAML is refused with its line', () => {
  assert.throws(() => parseConfig('webdav:\n  listen: [\n'), /strata\.yaml:\d+:/);
});

test.run();
