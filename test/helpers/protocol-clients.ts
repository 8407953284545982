// One small client per protocol, driving real tools (curl, smbclient) and node fs on a FUSE mount,
// for the cross-protocol and rights tests. Each call returns whether it worked and what it said.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunResult } from './serve.ts';

/** The outcome of one client operation. */
export interface Outcome {
  ok: boolean;
  data?: Buffer;
  names?: string[];
  said: string;
}

/** What every protocol client can do. */
export interface ProtocolClient {
  name: string;
  put(path: string, data: Buffer): Promise<Outcome>;
  get(path: string): Promise<Outcome>;
  list(path: string): Promise<Outcome>;
  remove(path: string): Promise<Outcome>;
  rename(from: string, to: string): Promise<Outcome>;
  mkdir(path: string): Promise<Outcome>;
}

const scratch = () => mkdtempSync(join(tmpdir(), 'strata-client-'));
const enc = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/** WebDAV through curl. */
export function webdavClient(port: number, user: string, pass: string): ProtocolClient {
  const base = `http://127.0.0.1:${port}`;
  const curl = (args: string[], input?: Buffer) => run('curl', ['-sS', '-u', `${user}:${pass}`, '-o', '-', '-w', '\n%{http_code}', ...args], input);
  const status = (r: RunResult) => Number(r.stdout.trim().split('\n').pop());
  const ok = (r: RunResult) => ({ ok: r.status === 0 && status(r) < 300, said: `HTTP ${status(r)}` });
  return {
    name: 'webdav',
    put: async (p, data) => ok(await curl(['-T', '-', `${base}${enc(p)}`], data)),
    get: async (p) => {
      const r = await run('curl', ['-sS', '-f', '-u', `${user}:${pass}`, `${base}${enc(p)}`]);
      return { ok: r.status === 0, data: r.out, said: r.stderr };
    },
    list: async (p) => {
      const r = await curl(['-X', 'PROPFIND', '-H', 'Depth: 1', `${base}${enc(p)}${p.endsWith('/') ? '' : '/'}`]);
      const hrefs = [...r.stdout.matchAll(/<(?:[A-Za-z]+:)?href>([^<]+)<\/(?:[A-Za-z]+:)?href>/g)].map((m) => decodeURIComponent(m[1]!));
      const self = `${p.replace(/\/$/, '')}/`;
      const names = hrefs.map((h) => h.replace(/^https?:\/\/[^/]+/, '')).filter((h) => h !== self && h !== p).map((h) => h.replace(/\/$/, '').split('/').pop()!);
      return { ...ok(r), names };
    },
    remove: async (p) => ok(await curl(['-X', 'DELETE', `${base}${enc(p)}`])),
    rename: async (a, b) => ok(await curl(['-X', 'MOVE', '-H', `Destination: ${base}${enc(b)}`, `${base}${enc(a)}`])),
    mkdir: async (p) => ok(await curl(['-X', 'MKCOL', `${base}${enc(p)}`])),
  };
}

/** FTP through curl. */
export function ftpClient(port: number, user: string, pass: string): ProtocolClient {
  const base = `ftp://127.0.0.1:${port}`;
  const curl = (args: string[], input?: Buffer) => run('curl', ['-sS', '--user', `${user}:${pass}`, ...args], input);
  const res = (r: RunResult) => ({ ok: r.status === 0, said: r.stderr.trim() });
  return {
    name: 'ftp',
    put: async (p, data) => res(await curl(['-T', '-', `${base}${enc(p)}`], data)),
    get: async (p) => {
      const r = await curl([`${base}${enc(p)}`]);
      return { ...res(r), data: r.out };
    },
    list: async (p) => {
      const r = await curl(['--list-only', `${base}${enc(p)}/`]);
      return { ...res(r), names: r.stdout.split(/\r?\n/).filter(Boolean) };
    },
    remove: async (p) => res(await curl(['-Q', `DELE ${p}`, `${base}/`, '-o', '/dev/null'])),
    rename: async (a, b) => res(await curl(['-Q', `RNFR ${a}`, '-Q', `RNTO ${b}`, `${base}/`, '-o', '/dev/null'])),
    mkdir: async (p) => res(await curl(['-Q', `MKD ${p}`, `${base}/`, '-o', '/dev/null'])),
  };
}

/** SMB through smbclient (SMB3_11, signing required). */
export function smbClient(port: number, user: string, pass: string): ProtocolClient {
  const smb = async (cmd: string) => {
    const r = await run('smbclient', [`//127.0.0.1/share`, '-p', String(port), '-U', `${user}%${pass}`, '-m', 'SMB3_11', '--option=client signing=required', '-c', cmd]);
    const failed = r.status !== 0 || /NT_STATUS_/.test(r.stdout + r.stderr);
    return { ok: !failed, said: (r.stdout + r.stderr).trim().split('\n').filter((l) => /NT_STATUS|Error/.test(l)).join(' ') || r.stderr.trim(), stdout: r.stdout };
  };
  const win = (p: string) => `"${p.replace(/\//g, '\\')}"`;
  return {
    name: 'smb',
    put: async (p, data) => {
      const dir = scratch();
      try {
        writeFileSync(join(dir, 'f'), data);
        return await smb(`put ${join(dir, 'f')} ${win(p)}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    get: async (p) => {
      const dir = scratch();
      try {
        const r = await smb(`get ${win(p)} ${join(dir, 'f')}`);
        return { ...r, data: r.ok ? readFileSync(join(dir, 'f')) : undefined };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    list: async (p) => {
      const r = await smb(`ls ${win(p.replace(/\/$/, '') + '/*')}`);
      const names = r.stdout.split('\n').map((l) => /^ {2}(.+?)\s+[A-Z]*\s+\d+\s+\w{3} \w{3}/.exec(l)?.[1]).filter((n): n is string => !!n && n !== '.' && n !== '..');
      return { ...r, names };
    },
    remove: async (p) => smb(`rm ${win(p)}`),
    rename: async (a, b) => smb(`rename ${win(a)} ${win(b)}`),
    mkdir: async (p) => smb(`mkdir ${win(p)}`),
  };
}

/** The FUSE mount through node fs (this process is not the one serving the mount). */
export function fuseClient(mountpoint: string): ProtocolClient {
  const at = (p: string) => join(mountpoint, p);
  const wrap = async (fn: () => Promise<Partial<Outcome> | void>): Promise<Outcome> => {
    try {
      return { ok: true, said: 'ok', ...(await fn()) };
    } catch (err) {
      return { ok: false, said: (err as NodeJS.ErrnoException).code ?? String(err) };
    }
  };
  return {
    name: 'fuse',
    // A FUSE write is acknowledged by fsync (docs/fuse.md): close returns before the file commits.
    put: (p, data) =>
      wrap(async () => {
        const fh = await open(at(p), 'w');
        try {
          await fh.writeFile(data);
          await fh.sync();
        } finally {
          await fh.close();
        }
      }),
    get: (p) => wrap(async () => ({ data: await readFile(at(p)) })),
    list: (p) => wrap(async () => ({ names: readdirSync(at(p)) })),
    remove: (p) => wrap(() => unlink(at(p))),
    rename: (a, b) => wrap(() => rename(at(a), at(b))),
    mkdir: (p) => wrap(async () => {
      await mkdir(at(p));
    }),
  };
}

/** Polls `fn` until it returns true or `ms` pass. */
export async function eventually(fn: () => Promise<boolean>, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}
