// The tiny client interface the conformance suite is written against; one driver per frontend implements it.
import type { VfsErrorCode } from '../../core/errors.ts';

/** What a driver can do beyond the basics; cases needing more are skipped for it, by name. */
export interface Capabilities {
  /** Writes at an offset into an existing file, and truncate. */
  randomWrite: boolean;
  symlinks: boolean;
  /** chmod and setting mtimes. */
  attributes: boolean;
  /** Exact errno-like codes (FUSE, the Vfs); protocol drivers map their status to the nearest code. */
  exactErrors: boolean;
  /** Several files open for writing at once. */
  concurrentHandles: boolean;
}

/** Entry kinds as a client sees them. */
export type Kind = 'file' | 'dir' | 'symlink';

/** A filesystem client: the Vfs itself, a FUSE mount, WebDAV, FTP or SMB. Errors carry `.code`. */
export interface FsClient {
  readonly name: string;
  readonly caps: Capabilities;
  writeFile(path: string, data: Buffer): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  list(path: string): Promise<string[]>;
  stat(path: string): Promise<{ kind: Kind; size: number; mtimeMs: number; mode?: number }>;
  writeAt?(path: string, offset: number, data: Buffer): Promise<void>;
  truncate?(path: string, size: number): Promise<void>;
  symlink?(target: string, path: string): Promise<void>;
  readlink?(path: string): Promise<string>;
  chmod?(path: string, mode: number): Promise<void>;
  utimes?(path: string, mtimeMs: number): Promise<void>;
  /** Opens two files and writes to both in turns through separate handles. */
  interleave?(a: string, b: string, pieces: Buffer[]): Promise<void>;
}

/** Errors thrown by drivers: `code` is the nearest Vfs code. */
export interface CodedError extends Error {
  code: VfsErrorCode | string;
}
