// [MS-FSCC] codecs: FILETIME, file attributes from a Stat, directory-entry and file-information classes.
import type { Stat } from '../../core/vfs/types.ts';
import { sfmEncode } from './vfs-adapter.ts';
import { Writer, utf16 } from './wire.ts';

/** File attribute bits. */
export const Attr = { READONLY: 0x1, HIDDEN: 0x2, DIRECTORY: 0x10, ARCHIVE: 0x20, NORMAL: 0x80 } as const;

const EPOCH_DIFF_100NS = 116444736000000000n;

/** Nanoseconds since 1970 as a Windows FILETIME (100 ns since 1601). */
export const filetime = (ns: bigint): bigint => (ns < 0n ? 0n : ns / 100n + EPOCH_DIFF_100NS);

/** A FILETIME as nanoseconds since 1970. */
export const fromFiletime = (ft: bigint): bigint => (ft - EPOCH_DIFF_100NS) * 100n;

/** A FILETIME for a Date. */
export const filetimeOfDate = (d: Date): bigint => BigInt(d.getTime()) * 10000n + EPOCH_DIFF_100NS;

/** What listings and information classes need of one entry. */
export interface DirEntryInfo {
  name: string;
  stat: Stat;
}

/** FileAttributes of an entry. */
export function attributes(name: string, st: Stat): number {
  let a = st.kind === 'dir' ? Attr.DIRECTORY : Attr.ARCHIVE;
  if (st.readOnly && st.kind !== 'dir') a |= Attr.READONLY;
  if (name.startsWith('.') && name !== '.' && name !== '..') a |= Attr.HIDDEN;
  return a;
}

/** AllocationSize: the size rounded up to 4 KiB. */
export const allocation = (st: Stat): number => (st.kind === 'dir' ? 0 : Math.ceil(st.size / 4096) * 4096);

const endOfFile = (st: Stat): number => (st.kind === 'dir' ? 0 : st.size);

/** Appends the four times (creation, access, write, change). */
export function writeTimes(w: Writer, st: Stat): void {
  w.u64(filetime(st.btimeNs)).u64(filetime(st.atimeNs)).u64(filetime(st.mtimeNs)).u64(filetime(st.ctimeNs));
}

/** Directory information classes QUERY_DIRECTORY supports. */
export const DirClass = { DIRECTORY: 1, FULL: 2, BOTH: 3, NAMES: 12, ID_BOTH: 37, ID_FULL: 38 } as const;

/** Encodes one directory entry of `cls` (NextEntryOffset left 0); null for an unknown class. */
export function encodeDirEntry(cls: number, e: DirEntryInfo, index: number): Buffer | null {
  const w = new Writer();
  const name = utf16(sfmEncode(e.name));
  w.u32(0).u32(index);
  if (cls === DirClass.NAMES) return w.u32(name.length).bytes(name).done();
  writeTimes(w, e.stat);
  w.u64(endOfFile(e.stat)).u64(allocation(e.stat)).u32(attributes(e.name, e.stat)).u32(name.length);
  switch (cls) {
    case DirClass.DIRECTORY:
      break;
    case DirClass.FULL:
      w.u32(0);
      break;
    case DirClass.ID_FULL:
      w.u32(0).u32(0).u64(e.stat.ino);
      break;
    case DirClass.BOTH:
      w.u32(0).u8(0).u8(0).zeros(24);
      break;
    case DirClass.ID_BOTH:
      w.u32(0).u8(0).u8(0).zeros(24).u16(0).u64(e.stat.ino);
      break;
    default:
      return null;
  }
  return w.bytes(name).done();
}

/** FileBasicInformation (40 bytes). */
export function basicInfo(name: string, st: Stat): Buffer {
  const w = new Writer();
  writeTimes(w, st);
  return w.u32(attributes(name, st)).u32(0).done();
}

/** FileStandardInformation (24 bytes). */
export function standardInfo(st: Stat, deletePending: boolean): Buffer {
  return new Writer().u64(allocation(st)).u64(endOfFile(st)).u32(st.nlink).u8(deletePending ? 1 : 0).u8(st.kind === 'dir' ? 1 : 0).u16(0).done();
}

/** FileNetworkOpenInformation (56 bytes). */
export function networkOpenInfo(name: string, st: Stat): Buffer {
  const w = new Writer();
  writeTimes(w, st);
  return w.u64(allocation(st)).u64(endOfFile(st)).u32(attributes(name, st)).u32(0).done();
}

/** FileStreamInformation: the unnamed data stream of a file; empty for directories. */
export function streamInfo(st: Stat): Buffer {
  if (st.kind === 'dir') return Buffer.alloc(0);
  const name = utf16('::$DATA');
  return new Writer().u32(0).u32(name.length).u64(st.size).u64(allocation(st)).bytes(name).done();
}
