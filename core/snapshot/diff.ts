// `strata diff`: what changed between two trees (snapshots or the live tree), path by path.
import type { EntryView, TreeReader } from '../files/tree-reader.ts';
import type { Inode } from '../meta/inode.ts';
import { joinPath } from '../vfs/path.ts';

/** One difference: + added, - removed, M content modified, T type changed, U metadata only. */
export interface DiffLine {
  change: '+' | '-' | 'M' | 'T' | 'U';
  path: string;
  kind: Inode['kind'];
}

function sameContent(a: Inode, b: Inode): boolean {
  if (a.kind === 'file') return a.size === b.size && (a.chunks ?? Buffer.alloc(0)).equals(b.chunks ?? Buffer.alloc(0));
  if (a.kind === 'symlink') return a.target === b.target;
  return true;
}

function sameMeta(a: Inode, b: Inode): boolean {
  return a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.mtime === b.mtime;
}

async function children(reader: TreeReader, e: EntryView): Promise<Map<string, EntryView>> {
  const m = new Map<string, EntryView>();
  for await (const c of reader.list(e)) m.set(c.name, c);
  return m;
}

/** Lists differences from `a` to `b` below `path`, depth first in name order. */
export async function diffTrees(a: TreeReader, b: TreeReader, path = '/'): Promise<DiffLine[]> {
  const out: DiffLine[] = [];
  const all = async (reader: TreeReader, e: EntryView, p: string, change: '+' | '-') => {
    out.push({ change, path: p, kind: e.node.kind });
    if (e.node.kind === 'dir') for (const c of (await children(reader, e)).values()) await all(reader, c, joinPath(p, c.name), change);
  };
  const walk = async (ea: EntryView, eb: EntryView, p: string) => {
    if (ea.node.tree && eb.node.tree && ea.node.tree.equals(eb.node.tree)) return;
    const ca = await children(a, ea);
    const cb = await children(b, eb);
    const names = [...new Set([...ca.keys(), ...cb.keys()])].sort();
    for (const name of names) {
      const x = ca.get(name);
      const y = cb.get(name);
      const cp = joinPath(p, name);
      if (!y) await all(a, x!, cp, '-');
      else if (!x) await all(b, y, cp, '+');
      else if (x.node.kind !== y.node.kind) {
        out.push({ change: 'T', path: cp, kind: y.node.kind });
      } else {
        if (!sameContent(x.node, y.node)) out.push({ change: 'M', path: cp, kind: y.node.kind });
        else if (!sameMeta(x.node, y.node) && x.node.kind !== 'dir') out.push({ change: 'U', path: cp, kind: y.node.kind });
        if (x.node.kind === 'dir') await walk(x, y, cp);
      }
    }
  };
  await walk(await a.lookup(path), await b.lookup(path), path === '/' ? '/' : path);
  return out;
}
