// Types for the parts of @marsaud/smb2 (an untyped CommonJS SMB2 client) that marsaud-child.ts uses.
declare module '@marsaud/smb2' {
  /** Connection options: share as \\host\share, NTLMv1 credentials, TCP port. */
  interface Smb2Options {
    share: string;
    domain: string;
    username: string;
    password: string;
    port?: number;
    autoCloseTimeout?: number;
  }
  /** The fs-like client; every method returns a promise when no callback is given. */
  class SMB2 {
    constructor(opts: Smb2Options);
    writeFile(path: string, data: Buffer | string, opts?: { flag?: string }): Promise<void>;
    readFile(path: string): Promise<Buffer>;
    readdir(path: string): Promise<string[]>;
    rename(from: string, to: string): Promise<void>;
    unlink(path: string): Promise<void>;
    exists(path: string): Promise<boolean>;
    mkdir(path: string): Promise<void>;
    rmdir(path: string): Promise<void>;
    disconnect(): void;
  }
  export default SMB2;
}
