// The fixed security descriptor every file shows: Everyone owns it and has full (or read) access.
import { Writer } from './wire.ts';

/** AdditionalInformation bits selecting descriptor parts. */
const Part = { OWNER: 1, GROUP: 2, DACL: 4 } as const;
/** S-1-1-0 (Everyone). */
const EVERYONE = Buffer.from('010100000000000100000000', 'hex');

/** A self-relative SECURITY_DESCRIPTOR with the parts `info` asks for. */
export function securityDescriptor(info: number, isDir: boolean, readOnly: boolean): Buffer {
  const ace = new Writer().u8(0).u8(isDir ? 0x3 : 0).u16(8 + EVERYONE.length).u32(readOnly ? 0x001200a9 : 0x001f01ff).bytes(EVERYONE).done();
  const acl = new Writer().u8(2).u8(0).u16(8 + ace.length).u16(1).u16(0).bytes(ace).done();
  const w = new Writer().u8(1).u8(0).u16(0x8000 | (info & Part.DACL ? 0x4 : 0));
  const offsets = w.length;
  w.u32(0).u32(0).u32(0).u32(0);
  if (info & Part.OWNER) w.setU32(offsets, w.length).bytes(EVERYONE);
  if (info & Part.GROUP) w.setU32(offsets + 4, w.length).bytes(EVERYONE);
  if (info & Part.DACL) w.setU32(offsets + 12, w.length).bytes(acl);
  return Buffer.from(w.done());
}
