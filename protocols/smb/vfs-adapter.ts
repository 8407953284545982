// SMB names to Vfs paths: `\` → `/`, the default data stream, forbidden characters, and @GMT tokens.
import { isVfsError } from '../../core/errors.ts';
import { withOrigin } from '../../core/vfs/changes.ts';
import type { Stat, Vfs } from '../../core/vfs/types.ts';
import { NtStatusError, Status } from './ntstatus.ts';

/** Characters Windows forbids in names, carried as Services-for-Mac private-use code points (as macOS and Samba's catia do). */
const SFM: Record<string, string> = { '"': '\uf020', '*': '\uf021', ':': '\uf022', '<': '\uf023', '>': '\uf024', '?': '\uf025', '|': '\uf027' };
const SFM_BACK = Object.fromEntries(Object.entries(SFM).map(([k, v]) => [v, k]));

/** A Vfs name as SMB clients see it (forbidden characters mapped to SFM code points). */
export const sfmEncode = (name: string): string => name.replace(/["*:<>?|]/g, (c) => SFM[c]!);

/** An SMB name component as the Vfs stores it. */
export const sfmDecode = (name: string): string => name.replace(/[\uf020-\uf027]/g, (c) => SFM_BACK[c] ?? c);

const GMT_TOKEN = /^@GMT-\d{4}\.\d{2}\.\d{2}-\d{2}\.\d{2}\.\d{2}$/;
const FORBIDDEN = /[\x00-\x1f"<>|*?]/;

/** A parsed SMB name: its Vfs path and the @GMT token it carried, if any. */
export interface SmbName {
  path: string;
  gmt: string | null;
}

/** Converts an SMB path (relative to the share, `\`-separated) to a Vfs path; rejects invalid names. */
export function toVfsPath(name: string): SmbName {
  let gmt: string | null = null;
  const parts: string[] = [];
  const comps = name.split('\\').filter((c) => c !== '');
  comps.forEach((comp, i) => {
    if (GMT_TOKEN.test(comp)) {
      gmt = comp;
      return;
    }
    let c = comp;
    const colon = c.indexOf(':');
    if (colon >= 0) {
      const stream = c.slice(colon);
      if (i !== comps.length - 1) throw new NtStatusError(Status.OBJECT_NAME_INVALID, `':' in '${name}'`);
      if (!/^(::\$DATA|:\$DATA|:)$/i.test(stream)) throw new NtStatusError(Status.OBJECT_NAME_NOT_FOUND, `named streams are not supported: '${name}'`);
      c = c.slice(0, colon);
      if (c === '') return;
    }
    if (FORBIDDEN.test(c)) throw new NtStatusError(Status.OBJECT_NAME_INVALID, `invalid name '${name}'`);
    parts.push(sfmDecode(c));
  });
  return { path: '/' + parts.join('/'), gmt };
}

/** The SMB form of a Vfs path (for FileNameInformation). */
export const toSmbName = (path: string): string => path.split('/').map(sfmEncode).join('\\');

/** The parent directory of a Vfs path. */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The last component of a Vfs path ('' for the root). */
export const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** The view of a session's Vfs that stamps its changes with the server's origin tag (one per session Vfs, so opens compare equal). */
export function ownVfs(config: { origin: string; tagged: WeakMap<Vfs, Vfs> }, vfs: Vfs): Vfs {
  let own = config.tagged.get(vfs);
  if (!own) config.tagged.set(vfs, (own = withOrigin(vfs, config.origin)));
  return own;
}

/** Stat, or null when the entry does not exist. */
export async function statOrNull(vfs: Vfs, path: string): Promise<Stat | null> {
  try {
    return await vfs.stat(path);
  } catch (err) {
    if (isVfsError(err, 'ENOENT')) return null;
    throw err;
  }
}

/** Finds `path` ignoring case in its last component, the way Windows clients expect; null when absent. */
export async function resolveCase(vfs: Vfs, path: string): Promise<string | null> {
  const parent = parentOf(path);
  const want = baseName(path).toLowerCase();
  if (!want) return null;
  try {
    const hit = (await vfs.readdir(parent)).find((e) => e.name.toLowerCase() === want);
    return hit ? (parent === '/' ? '' : parent) + '/' + hit.name : null;
  } catch {
    return null;
  }
}
