// The conformance driver that calls the Vfs directly (in process).
import type { ArchiveVfs } from '../../core/vfs/vfs.ts';
import type { FsClient } from './client.ts';

/** An FsClient over a Vfs. */
export function vfsClient(vfs: ArchiveVfs): FsClient {
  return {
    name: 'vfs',
    caps: { randomWrite: true, symlinks: true, attributes: true, exactErrors: true, concurrentHandles: true },
    writeFile: async (p, data) => {
      await vfs.writeFile(p, data);
    },
    readFile: async (p) => {
      const f = await vfs.open(p);
      try {
        return await f.read(0, (await f.stat()).size);
      } finally {
        await f.close();
      }
    },
    mkdir: async (p) => {
      await vfs.mkdir(p);
    },
    rmdir: (p) => vfs.rmdir(p),
    unlink: (p) => vfs.unlink(p),
    rename: (a, b) => vfs.rename(a, b),
    list: async (p) => (await vfs.readdir(p)).map((e) => e.name),
    stat: async (p) => {
      const s = await vfs.stat(p);
      return { kind: s.kind, size: s.size, mtimeMs: Number(s.mtimeNs / 1000n) / 1000, mode: s.mode };
    },
    writeAt: async (p, offset, data) => {
      const f = await vfs.open(p, { write: true });
      try {
        await f.write(offset, data);
      } finally {
        await f.close();
      }
    },
    truncate: async (p, size) => {
      await vfs.setattr(p, { size });
    },
    symlink: async (t, p) => {
      await vfs.symlink(t, p);
    },
    readlink: (p) => vfs.readlink(p),
    chmod: async (p, mode) => {
      await vfs.setattr(p, { mode });
    },
    utimes: async (p, ms) => {
      await vfs.setattr(p, { mtimeNs: BigInt(ms) * 1000000n });
    },
    interleave: async (a, b, pieces) => {
      const fa = await vfs.open(a, { write: true, create: true, truncate: true });
      const fb = await vfs.open(b, { write: true, create: true, truncate: true });
      const rev = [...pieces].reverse();
      let oa = 0;
      let ob = 0;
      for (let i = 0; i < pieces.length; i++) {
        oa += await fa.write(oa, pieces[i]!);
        ob += await fb.write(ob, rev[i]!);
      }
      await Promise.all([fa.close(), fb.close()]);
    },
  };
}
