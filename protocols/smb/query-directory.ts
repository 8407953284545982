// QUERY_DIRECTORY ([MS-SMB2] 3.3.5.18): classes 1, 2, 3, 12, 37, 38; wildcards; RESTART/SINGLE_ENTRY/
// INDEX/REOPEN flags; STATUS_NO_SUCH_FILE on a first empty match, STATUS_NO_MORE_FILES after the last entry.
import type { Vfs } from '../../core/vfs/types.ts';
import { BODY, openAt, type Call } from './call.ts';
import { DirClass, encodeDirEntry, type DirEntryInfo } from './fscc.ts';
import { NtStatusError, Status } from './ntstatus.ts';
import type { Reply } from './state.ts';
import { parentOf, sfmDecode, sfmEncode, statOrNull } from './vfs-adapter.ts';
import { Writer, WireError } from './wire.ts';

const Flag = { RESTART_SCANS: 0x1, RETURN_SINGLE_ENTRY: 0x2, INDEX_SPECIFIED: 0x4, REOPEN: 0x10 } as const;
const CLASSES: number[] = Object.values(DirClass);

/** A matcher for a Windows wildcard pattern (`*`, `?`, and the DOS forms `<`, `>`, `"`), case-insensitive. */
export function wildcard(pattern: string): (name: string) => boolean {
  if (pattern === '*' || pattern === '*.*' || pattern === '<.*') return () => true;
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*|</g, '.*').replace(/\?|>/g, '.').replace(/"/g, '\\.');
  const rx = new RegExp(`^${re}$`, 'is');
  return (name) => rx.test(name);
}

const hasWildcards = (p: string) => /[*?<>"]/.test(p);

async function listing(vfs: Vfs, dir: string, pattern: string): Promise<DirEntryInfo[]> {
  const child = (name: string) => (dir === '/' ? '' : dir) + '/' + name;
  if (!hasWildcards(pattern)) {
    const name = sfmDecode(pattern);
    const exact = await statOrNull(vfs, child(name));
    if (exact) return [{ name, stat: exact }];
    const hit = (await vfs.readdir(dir)).find((e) => e.name.toLowerCase() === name.toLowerCase());
    return hit ? [hit] : [];
  }
  const match = wildcard(pattern);
  const self = await vfs.stat(dir);
  const parent = dir === '/' ? self : await vfs.stat(parentOf(dir));
  const all: DirEntryInfo[] = [{ name: '.', stat: self }, { name: '..', stat: parent }, ...(await vfs.readdir(dir))];
  return all.filter((e) => match(sfmEncode(e.name)));
}

/** Handles QUERY_DIRECTORY. */
export async function queryDirectory(call: Call): Promise<Reply> {
  const { r } = call;
  if (r.u16(BODY) !== 33) throw new WireError('QUERY_DIRECTORY StructureSize');
  const cls = r.u8(BODY + 2);
  const flags = r.u8(BODY + 3);
  const open = openAt(call, BODY + 8);
  const pattern = r.utf16(r.u16(BODY + 24), r.u16(BODY + 26)) || '*';
  const outLen = r.u32(BODY + 28);
  if (!CLASSES.includes(cls)) throw new NtStatusError(Status.INVALID_INFO_CLASS);
  if (!open.isDir) throw new NtStatusError(Status.INVALID_PARAMETER, 'not a directory');
  let first = false;
  if (!open.cursor || flags & (Flag.RESTART_SCANS | Flag.REOPEN)) {
    open.cursor = { pattern, entries: await listing(open.vfs, open.path, pattern), next: 0 };
    first = true;
  }
  const cur = open.cursor;
  if (flags & Flag.INDEX_SPECIFIED) cur.next = Math.min(r.u32(BODY + 4), cur.entries.length);
  if (cur.next >= cur.entries.length) throw new NtStatusError(first && cur.entries.length === 0 ? Status.NO_SUCH_FILE : Status.NO_MORE_FILES);
  const w = new Writer();
  let prevStart = -1;
  while (cur.next < cur.entries.length) {
    const entry = encodeDirEntry(cls, cur.entries[cur.next]!, cur.next + 1)!;
    const start = prevStart < 0 ? 0 : w.length + ((8 - (w.length % 8)) % 8);
    if (start + entry.length > outLen) break;
    if (prevStart >= 0) {
      w.align(8);
      w.setU32(prevStart, start - prevStart);
    }
    w.bytes(entry);
    prevStart = start;
    cur.next++;
    if (flags & Flag.RETURN_SINGLE_ENTRY) break;
  }
  if (prevStart < 0) throw new NtStatusError(Status.INFO_LENGTH_MISMATCH, 'output buffer too small for one entry');
  const data = w.done();
  return { body: Buffer.concat([Buffer.from(new Writer().u16(9).u16(BODY + 8).u32(data.length).done()), data]) };
}
