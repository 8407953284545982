// Users and their rights: what every frontend enforces through one scoped Vfs.

/** What a signed-in user may do. */
export interface User {
  name: string;
  /** Archive path the user is jailed to ('/' for the whole archive). */
  home: string;
  readOnly: boolean;
  /** May take snapshots (mkdir /.snapshots/NAME). */
  snapshotCreate: boolean;
  /** May delete snapshots (rmdir /.snapshots/NAME). */
  snapshotDelete: boolean;
}

/** The stored form: rights plus slow password hash and the NT hash SMB needs. */
export interface UserRecord extends User {
  scrypt: { N: number; r: number; p: number; salt: string; hash: string };
  /** NT hash (MD4 of UTF-16LE password): hex when the archive is plain, base64 of a sealed blob when encrypted. */
  nt: string;
}

/** A user's rights without secrets. */
export function publicUser(r: UserRecord): User {
  return { name: r.name, home: r.home, readOnly: r.readOnly, snapshotCreate: r.snapshotCreate, snapshotDelete: r.snapshotDelete };
}

/** Checks a user name: 1-64 characters, no control characters, no ':' or '/' or '\\'. */
export function checkUserName(name: string): string | null {
  if (!/^[^\x00-\x1f:/\\\x7f]{1,64}$/u.test(name)) return `invalid user name '${name}': 1-64 characters, none of : / \\ or control characters`;
  return null;
}
