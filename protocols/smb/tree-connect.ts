// TREE_CONNECT ([MS-SMB2] 3.3.5.7): the one disk share (case-insensitive name) and IPC$ for srvsvc.
import { BODY, sessionOf, type Call } from './call.ts';
import { NtStatusError, Status } from './ntstatus.ts';
import type { Reply } from './state.ts';
import { Writer, WireError } from './wire.ts';

const ShareType = { DISK: 1, PIPE: 2 } as const;
const SHAREFLAG_ENCRYPT_DATA = 0x8000;
/** MaximalAccess for a writer and for a read-only user. */
const FULL_ACCESS = 0x001f01ff;
const READ_ACCESS = 0x001200a9;

/** Handles TREE_CONNECT. */
export async function treeConnect(call: Call): Promise<Reply> {
  const { r, conn } = call;
  const s = sessionOf(call);
  if (r.u16(BODY) !== 9) throw new WireError('TREE_CONNECT StructureSize');
  const path = r.utf16(r.u16(BODY + 4), r.u16(BODY + 6));
  const share = path.split('\\').filter(Boolean).pop()?.toLowerCase() ?? '';
  const kind = share === 'ipc$' ? 'ipc' : share === conn.config.shareName.toLowerCase() ? 'disk' : null;
  if (!kind) throw new NtStatusError(Status.BAD_NETWORK_NAME, `no share '${share}'`);
  const id = Number(conn.newId() & 0xffffffn);
  const encrypt = conn.config.encryptData && kind === 'disk';
  s.trees.set(id, { id, kind, encrypt });
  const access = kind === 'disk' && s.user?.readOnly ? READ_ACCESS : FULL_ACCESS;
  const body = new Writer().u16(16).u8(kind === 'disk' ? ShareType.DISK : ShareType.PIPE).u8(0).u32(encrypt ? SHAREFLAG_ENCRYPT_DATA : 0).u32(0).u32(access).done();
  return { body: Buffer.from(body), treeId: id };
}
