// The conformance driver for the FTP frontend: a real FTP client (basic-ftp) over loopback.
// FTP has no truncate: the driver rewrites the whole file for it. Writes at an offset use REST+STOR.
import { Client, FTPError } from 'basic-ftp';
import { PassThrough, Readable, Writable } from 'node:stream';
import type { CodedError, FsClient, Kind } from './client.ts';

/** Reply texts the server uses (protocols/ftp/errors.ts) → the nearest Vfs code. */
const BY_TEXT: Array<[RegExp, string]> = [
  [/No such file or directory/, 'ENOENT'],
  [/File exists/, 'EEXIST'],
  [/Not a directory/, 'ENOTDIR'],
  [/Is a directory/, 'EISDIR'],
  [/Directory not empty/, 'ENOTEMPTY'],
  [/Read-only/, 'EROFS'],
  [/Permission denied/, 'EACCES'],
  [/name too long/, 'ENAMETOOLONG'],
  [/File name not allowed|Invalid argument/, 'EINVAL'],
];

/** Reply codes → Vfs codes when the text says nothing more specific. */
const BY_CODE: Record<number, string> = { 450: 'EBUSY', 451: 'EIO', 452: 'ENOSPC', 552: 'ENOSPC', 553: 'EINVAL', 550: 'EACCES' };

function coded(err: unknown): CodedError {
  if (!(err instanceof FTPError)) return Object.assign(err as Error, { code: (err as { code?: string }).code ?? 'EIO' });
  const byText = BY_TEXT.find(([re]) => re.test(err.message))?.[1];
  return Object.assign(new Error(err.message), { code: byText ?? BY_CODE[err.code] ?? 'EIO' });
}

async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw coded(err);
  }
}

/** Opens a signed-in basic-ftp client. */
export async function connectFtp(port: number, user: string, password: string, secure = false): Promise<Client> {
  const client = new Client(30_000);
  await client.access({ host: '127.0.0.1', port, user, password, secure, secureOptions: { rejectUnauthorized: false } });
  return client;
}

async function download(c: Client, path: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      parts.push(chunk);
      cb();
    },
  });
  await c.downloadTo(sink, path);
  return Buffer.concat(parts);
}

function parseMlst(message: string): Record<string, string> {
  const line = message.split(/\r?\n/).find((l) => l.startsWith(' ')) ?? '';
  const facts: Record<string, string> = {};
  for (const f of line.trim().split(' ')[0]!.split(';')) {
    const eq = f.indexOf('=');
    if (eq > 0) facts[f.slice(0, eq).toLowerCase()] = f.slice(eq + 1);
  }
  return facts;
}

/** An FsClient over FTP; `connect` opens a further client (for interleaved handles). */
export function ftpClient(c: Client, connect: () => Promise<Client>): FsClient {
  const self: FsClient = {
    name: 'ftp',
    caps: { randomWrite: true, symlinks: false, attributes: true, exactErrors: false, concurrentHandles: true },
    writeFile: (p, data) => mapped(async () => void (await c.uploadFrom(Readable.from(data.length ? [data] : []), p))),
    readFile: (p) => mapped(() => download(c, p)),
    mkdir: (p) => mapped(async () => void (await c.send(`MKD ${p}`))),
    rmdir: (p) => mapped(async () => void (await c.send(`RMD ${p}`))),
    unlink: (p) => mapped(async () => void (await c.remove(p))),
    rename: (a, b) => mapped(async () => void (await c.rename(a, b))),
    list: (p) => mapped(async () => (await c.list(p)).map((e) => e.name)),
    stat: (p) =>
      mapped(async () => {
        const f = parseMlst((await c.send(`MLST ${p}`)).message);
        const kind: Kind = f.type === 'dir' ? 'dir' : f.type === 'file' ? 'file' : 'symlink';
        const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.(\d+))?$/.exec(f.modify ?? '');
        const mtimeMs = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7] ? Number(`0.${m[7]}`) * 1000 : 0) : 0;
        return { kind, size: Number(f.size ?? 0), mtimeMs, mode: f['unix.mode'] ? parseInt(f['unix.mode'], 8) : undefined };
      }),
    writeAt: (p, offset, data) =>
      mapped(async () => {
        await c.send(`REST ${offset}`);
        await c.uploadFrom(Readable.from([data]), p);
      }),
    truncate: async (p, size) => {
      const old = await self.readFile(p);
      const next = Buffer.alloc(size);
      old.copy(next, 0, 0, Math.min(size, old.length));
      await self.writeFile(p, next);
    },
    chmod: (p, mode) => mapped(async () => void (await c.send(`SITE CHMOD ${mode.toString(8)} ${p}`))),
    utimes: (p, ms) =>
      mapped(async () => {
        const d = new Date(ms);
        const t = d.toISOString().replace(/[-:T]/g, '').replace(/\.(\d{3})Z$/, '.$1');
        await c.send(`MFMT ${t} ${p}`);
      }),
    interleave: (a, b, pieces) =>
      mapped(async () => {
        const other = await connect();
        try {
          const sa = new PassThrough();
          const sb = new PassThrough();
          const done = Promise.all([c.uploadFrom(sa, a), other.uploadFrom(sb, b)]);
          const rev = [...pieces].reverse();
          for (let i = 0; i < pieces.length; i++) {
            sa.write(pieces[i]);
            sb.write(rev[i]);
            await new Promise((r) => setTimeout(r, 5));
          }
          sa.end();
          sb.end();
          await done;
        } finally {
          other.close();
        }
      }),
  };
  return self;
}
