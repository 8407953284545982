// Real tools through the mount (strata mount in a child process): cp -a, tar, rsync, git, sqlite3.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { describeTree, makeFixtureTree } from '../helpers/tree.ts';
import { withMount } from './mount-process.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const sh = (cmd: string, args: string[], cwd?: string) => execFileSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

const test = suite('fuse: real tools');

test('cp -a in and out, tar x, rsync twice, git, sqlite3', async () => {
  await withMount(async ({ dir, mnt }) => {
    // cp -a of a fixture tree in and back out: identical content, modes, symlinks, mtimes (ms resolution).
    const src = join(dir, 'fixture');
    mkdirSync(src);
    makeFixtureTree(src);
    sh('cp', ['-a', src, join(mnt, 'cp')]);
    sh('cp', ['-a', join(mnt, 'cp'), join(dir, 'back')]);
    sh('diff', ['-r', '--no-dereference', src, join(dir, 'back')]);
    sh('diff', ['-r', '--no-dereference', src, join(mnt, 'cp')]);
    const ms = (lines: string[]) => lines.map((l) => l.replace(/ file (\d+) (\d+) (\d+)\d{3} /, ' file $1 $2 $3000 '));
    assert.equal(ms(describeTree(join(mnt, 'cp'), false)), ms(describeTree(src, false)));

    // tar x of a source tarball made from the repo's own core/ directory.
    const tarball = join(dir, 'core.tar');
    sh('tar', ['cf', tarball, '-C', REPO, 'core']);
    mkdirSync(join(mnt, 'tar'));
    sh('tar', ['xf', tarball, '-C', join(mnt, 'tar')]);
    sh('diff', ['-r', join(REPO, 'core'), join(mnt, 'tar', 'core')]);
    // tar restores mtimes with atime UTIME_OMIT, which libfuse 2 drops unless told otherwise.
    mkdirSync(join(dir, 'tar-local'));
    sh('tar', ['xf', tarball, '-C', join(dir, 'tar-local')]);
    assert.equal(ms(describeTree(join(mnt, 'tar'), false)), ms(describeTree(join(dir, 'tar-local'), false)), 'modes and mtimes as tar restores them locally');
    sh('touch', ['-m', '-d', '@981173106', join(mnt, 'tar', 'core', 'archive.ts')]);
    assert.is(sh('stat', ['-c', '%Y', join(mnt, 'tar', 'core', 'archive.ts')]).trim(), '981173106', 'touch -m sets mtime alone');

    // rsync -a twice: the second run finds nothing to transfer.
    sh('rsync', ['-a', `${REPO}/core/`, join(mnt, 'rsync')]);
    assert.is(sh('rsync', ['-a', '--itemize-changes', `${REPO}/core/`, join(mnt, 'rsync')]), '');
    assert.match(sh('rsync', ['-a', '--stats', `${REPO}/core/`, join(mnt, 'rsync')]), /Number of regular files transferred: 0\n/);

    // git init, add, commit inside the mount; the repository checks clean.
    const repo = join(mnt, 'repo');
    mkdirSync(repo);
    sh('cp', ['-r', join(REPO, 'core'), repo]);
    sh('git', ['init', '-q'], repo);
    sh('git', ['add', '-A'], repo);
    sh('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'first'], repo);
    assert.is(sh('git', ['log', '--format=%s'], repo), 'first\n');
    assert.is(sh('git', ['status', '--porcelain'], repo), '');
    sh('git', ['fsck', '--full'], repo);
    assert.is(sh('git', ['ls-files'], repo).trim().split('\n').length, countFiles(join(REPO, 'core')));

    // sqlite3: create a database, insert rows, query them.
    const db = join(mnt, 'db.sqlite');
    sh('sqlite3', [db, "create table t(a integer, b text); with recursive c(x) as (select 1 union all select x+1 from c where x<2000) insert into t select x, 'row'||x from c;"]);
    assert.is(sh('sqlite3', [db, 'select count(*), sum(a) from t;']), '2000|2001000\n');
    assert.is(sh('sqlite3', [db, "update t set b='changed' where a%2=0; select count(*) from t where b='changed'; pragma integrity_check;"]), '1000\nok\n');
  });
});

function countFiles(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
}

test.run();
