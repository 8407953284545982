// The conformance driver for SMB: impacket's SMB client (2.1, signed HMAC-SHA256) through a small Python bridge
// process (test/smb/smb_client.py), NTSTATUS mapped to the nearest Vfs code.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CodedError, FsClient } from './client.ts';

const BRIDGE = fileURLToPath(new URL('../smb/smb_client.py', import.meta.url));

/** NTSTATUS → nearest Vfs error code. */
const CODES: Record<number, string> = {
  0xc0000034: 'ENOENT',
  0xc000003a: 'ENOENT',
  0xc000000f: 'ENOENT',
  0xc0000035: 'EEXIST',
  0xc00000ba: 'EISDIR',
  0xc0000103: 'ENOTDIR',
  0xc0000101: 'ENOTEMPTY',
  0xc0000022: 'EACCES',
  0xc00000a2: 'EROFS',
  0xc0000121: 'EACCES',
  0xc0000106: 'ENAMETOOLONG',
  0xc0000033: 'EINVAL',
  0xc000000d: 'EINVAL',
  0xc000007f: 'ENOSPC',
  0xc0000185: 'EIO',
  0xc00000d4: 'EXDEV',
};

/** A running bridge: one impacket session. */
export interface SmbBridge {
  client: FsClient;
  close(): Promise<void>;
}

/** Starts the impacket bridge against host:port and returns an FsClient over it. */
export async function smbClient(host: string, port: number, user: string, pass: string, share = 'share'): Promise<SmbBridge> {
  const proc: ChildProcessWithoutNullStreams = spawn('/usr/bin/python3', [BRIDGE, host, String(port), user, pass, share]);
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const lines = createInterface({ input: proc.stdout });
  const waiting = new Map<number, (msg: Record<string, unknown>) => void>();
  let ready!: () => void;
  let failed!: (e: Error) => void;
  const started = new Promise<void>((res, rej) => ((ready = res), (failed = rej)));
  proc.stdin.on('error', () => undefined); // a dead bridge is reported by its exit below
  proc.on('exit', (code) => {
    const err = new Error(`smb bridge exited ${code}: ${stderr}`);
    failed(err);
    for (const settle of waiting.values()) settle({ ok: false, status: -1, error: err.message });
  });
  lines.on('line', (line) => {
    const msg = JSON.parse(line) as Record<string, unknown>;
    if (msg.ready) return ready();
    waiting.get(msg.id as number)?.(msg);
  });
  await started;
  let nextId = 1;
  const call = (op: string, args: Record<string, unknown>): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (msg) => {
        waiting.delete(id);
        if (msg.ok) return resolve(msg.result);
        const status = msg.status as number;
        const err = new Error(`${op}: ${msg.error as string}`) as CodedError;
        err.code = CODES[status] ?? `NTSTATUS_0x${status.toString(16)}`;
        reject(err);
      });
      proc.stdin.write(JSON.stringify({ id, op, ...args }) + '\n');
    });
  const b64 = (d: Buffer) => d.toString('base64');
  const client: FsClient = {
    name: 'smb (impacket 2.1)',
    caps: { randomWrite: true, symlinks: false, attributes: false, exactErrors: false, concurrentHandles: true },
    writeFile: async (path, data) => void (await call('writeFile', { path, data: b64(data) })),
    readFile: async (path) => Buffer.from((await call('readFile', { path })) as string, 'base64'),
    mkdir: async (path) => void (await call('mkdir', { path })),
    rmdir: async (path) => void (await call('rmdir', { path })),
    unlink: async (path) => void (await call('unlink', { path })),
    rename: async (from, to) => void (await call('rename', { from, to })),
    list: async (path) => (await call('list', { path })) as string[],
    stat: async (path) => (await call('stat', { path })) as { kind: 'file' | 'dir'; size: number; mtimeMs: number },
    writeAt: async (path, offset, data) => void (await call('writeAt', { path, offset, data: b64(data) })),
    truncate: async (path, size) => void (await call('truncate', { path, size })),
    interleave: async (a, b, pieces) => void (await call('interleave', { a, b, pieces: pieces.map(b64) })),
  };
  return {
    client,
    close: async () => {
      proc.stdin.end();
      await new Promise<void>((res) => {
        if (proc.exitCode !== null) return res();
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        proc.on('exit', () => (clearTimeout(t), res()));
      });
    },
  };
}
