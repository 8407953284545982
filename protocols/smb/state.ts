// Per-connection state: the negotiated dialect and keys, sessions, tree connects and open files.
import type { User } from '../../core/auth/user.ts';
import type { Vfs, VfsFile } from '../../core/vfs/types.ts';
import type { SessionKeys, Signer } from './crypto.ts';
import type { Header } from './header.ts';
import type { NtlmServer } from './ntlm.ts';
import type { DirEntryInfo } from './fscc.ts';
import type { RpcPipe } from './srvsvc.ts';
import type { ByteRangeLocks } from './lock.ts';
import type { OpenTable } from './open-table.ts';
import type { Break, Lease, Oplocks } from './oplock.ts';
import type { Connection } from './transport.ts';
import type { Watchers, Watch } from './watch.ts';

/** Server-wide settings every connection shares. */
export interface ServerConfig {
  shareName: string;
  signingRequired: boolean;
  encryptData: boolean;
  allowNtlmV1: boolean;
  serverGuid: Buffer;
  startTime: bigint;
  netbiosName: string;
  dnsName: string;
  /** Largest read/write/transact size offered. */
  maxIo: number;
  /** Byte-range locks shared by every connection. */
  locks: ByteRangeLocks;
  /** Every open file of every connection (share modes, delete pending). */
  opens: OpenTable;
  /** Oplock and lease state and breaks. */
  oplocks: Oplocks;
  /** CHANGE_NOTIFY watches of every connection. */
  watchers: Watchers;
  /** The origin tag of changes made through this server (its handlers report those themselves; the Vfs change feed brings the rest). */
  origin: string;
  /** Each session Vfs's view tagged with `origin` (see vfs-adapter.ts `ownVfs`). */
  tagged: WeakMap<Vfs, Vfs>;
}

/** One signed-in (or signing-in) user on a connection. */
export interface Session {
  id: bigint;
  state: 'in-progress' | 'valid';
  ntlm: NtlmServer;
  /** DER of the client's mechTypes (mechListMIC input) and whether the exchange is raw NTLMSSP. */
  mechTypesDer: Buffer | null;
  user: User | null;
  userName: string;
  vfs: Vfs | null;
  sessionKey: Buffer | null;
  signer: Signer | null;
  keys: SessionKeys | null;
  /** Every request must be signed. */
  signingRequired: boolean;
  /** Every request and response is encrypted. */
  encrypt: boolean;
  /** 3.1.1 session preauth integrity hash. */
  preauth: Buffer | null;
  trees: Map<number, Tree>;
}

/** A tree connect: the share or IPC$. */
export interface Tree {
  id: number;
  kind: 'disk' | 'ipc';
  encrypt: boolean;
}

/** Directory enumeration state of an open directory. */
export interface DirCursor {
  pattern: string;
  entries: DirEntryInfo[];
  next: number;
}

/** An open file, directory or pipe. */
export interface Open {
  id: bigint;
  /** The connection the open was made on (where its breaks and notifications go). */
  conn: Connection;
  sessionId: bigint;
  treeId: number;
  /** Share path, POSIX style. */
  path: string;
  isDir: boolean;
  access: number;
  /** The specific rights granted (GENERIC_* and MAXIMUM_ALLOWED expanded). */
  granted: number;
  /** ShareAccess of the CREATE. */
  share: number;
  /** Key in the server's open table (null for pipes). */
  fileKey: string | null;
  /** Granted OplockLevel (0xff: a lease). */
  oplock: number;
  /** The oplock break in progress, if any. */
  oplockBreak: Break | null;
  lease: Lease | null;
  /** The CHANGE_NOTIFY watch of a directory open, once a CHANGE_NOTIFY has been issued on it. */
  watch: Watch | null;
  /** Open Vfs file for files (null for directories and pipes). */
  file: VfsFile | null;
  writable: boolean;
  vfs: Vfs;
  deleteOnClose: boolean;
  cursor: DirCursor | null;
  pipe: RpcPipe | null;
  position: number;
}

/** A decoded request with its raw bytes (offsets in the body are relative to the header). */
export interface Request {
  header: Header;
  /** The message from its header to its end (NextCommand or PDU end). */
  msg: Buffer;
  /** Whether it arrived inside an encrypted transform. */
  encrypted: boolean;
}

/** What a handler answers. */
export interface Reply {
  status?: number;
  body: Buffer;
  /** Bytes that follow `body` in the response (READ data), sent and signed without copying them into it. */
  data?: Buffer[];
  /** Called once nothing reads `data` any more: written to the socket, sealed into other bytes, or the connection gone. */
  done?: () => void;
  /** Overrides the header's SessionId (SESSION_SETUP assigns one). */
  sessionId?: bigint;
  /** Overrides the header's TreeId (TREE_CONNECT assigns one). */
  treeId?: number;
  /** The FileId a CREATE produced, for related compound requests. */
  fileId?: bigint;
  /** Makes this an interim STATUS_PENDING response of the async request with this id. */
  asyncId?: bigint;
  /** Called with the final bytes of this response as sent (preauth hashing). */
  sent?: (msg: Buffer) => void;
  /** Sign the response with this session even if the request was unsigned (final SESSION_SETUP). */
  signWith?: Session;
  /** With a PENDING status: the rest of the work, whose reply is sent later as the async final response. */
  later?: () => Promise<Reply>;
}
