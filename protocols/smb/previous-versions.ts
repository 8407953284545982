// Previous Versions: snapshots as @GMT-YYYY.MM.DD-HH.MM.SS tokens (FSCTL_SRV_ENUMERATE_SNAPSHOTS, @GMT
// paths and the TWrp create context), each opening /.snapshots/<name>/… read-only.
import type { SnapshotEntry, Vfs } from '../../core/vfs/types.ts';
import { fromFiletime } from './fscc.ts';
import { NtStatusError, Status } from './ntstatus.ts';
import { statOrNull } from './vfs-adapter.ts';
import { Writer, utf16 } from './wire.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/** The @GMT token of a time (UTC, whole seconds). */
export function gmtToken(d: Date): string {
  return `@GMT-${d.getUTCFullYear()}.${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCDate())}-${pad(d.getUTCHours())}.${pad(d.getUTCMinutes())}.${pad(d.getUTCSeconds())}`;
}

/** The token of a TWrp FILETIME. */
export const tokenOfFiletime = (ft: bigint): string => gmtToken(new Date(Number(fromFiletime(ft) / 1000000n)));

/** The snapshot named by a token (the newest of several in the same second). */
export async function snapshotOfToken(vfs: Vfs, token: string): Promise<SnapshotEntry> {
  const hit = (await vfs.snapshots()).filter((s) => gmtToken(s.time) === token).pop();
  if (!hit) throw new NtStatusError(Status.OBJECT_PATH_NOT_FOUND, `no snapshot at ${token}`);
  return hit;
}

/** The Vfs path of `path` inside snapshot `name`. */
export const inSnapshot = (name: string, path: string): string => `/.snapshots/${name}${path === '/' ? '' : path}`;

/** The live path a snapshot path shows (the path itself when it is live). */
export function livePath(path: string): string {
  const m = /^\/\.snapshots\/[^/]+(\/.*)?$/.exec(path);
  return m ? m[1] ?? '/' : path;
}

/** FSCTL_SRV_ENUMERATE_SNAPSHOTS output: the tokens of snapshots holding `path`, newest first (only the counts when they do not fit). */
export async function enumerateSnapshots(vfs: Vfs, path: string, maxOutput: number): Promise<Buffer> {
  const live = livePath(path);
  const tokens: string[] = [];
  for (const s of (await vfs.snapshots()).reverse()) {
    const t = gmtToken(s.time);
    if (!tokens.includes(t) && (await statOrNull(vfs, inSnapshot(s.name, live)))) tokens.push(t);
  }
  const multi = tokens.length ? Buffer.concat([...tokens.map((t) => utf16(t + '\0')), Buffer.alloc(2)]) : Buffer.alloc(2);
  const w = new Writer().u32(tokens.length);
  if (maxOutput < 12 + multi.length) return Buffer.from(w.u32(0).u32(multi.length).u32(0).done());
  return Buffer.from(w.u32(tokens.length).u32(multi.length).bytes(multi).done());
}
