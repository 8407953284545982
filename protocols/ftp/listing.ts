// Directory listing formats: `ls -l` lines for LIST, RFC 3659 facts for MLSD/MLST, and FTP timestamps.
import type { User } from '../../core/auth/user.ts';
import type { Stat } from '../../core/vfs/types.ts';

/** The facts MLSD/MLST can show, in FEAT order. */
export const ALL_FACTS = ['type', 'size', 'modify', 'perm', 'unique', 'unix.mode'] as const;

/** One MLSx fact name. */
export type Fact = (typeof ALL_FACTS)[number];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS_MS = 182 * 24 * 3600 * 1000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** A Stat's mtime in milliseconds. */
export function mtimeMs(st: Stat): number {
  return Number(st.mtimeNs / 1_000_000n);
}

/** An RFC 3659 time-val (UTC): YYYYMMDDHHMMSS, with `.sss` when `millis`. */
export function ftpTime(ms: number, millis = false): string {
  const d = new Date(ms);
  const base = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  return millis ? `${base}.${pad(d.getUTCMilliseconds(), 3)}` : base;
}

/** Parses an RFC 3659 time-val (UTC) into milliseconds, or null when malformed. */
export function parseFtpTime(s: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?$/.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return null;
  const frac = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  return Date.UTC(y, mo - 1, d, h, mi, sec, frac);
}

function modeString(st: Stat): string {
  const kind = st.kind === 'dir' ? 'd' : st.kind === 'symlink' ? 'l' : '-';
  const bits = 'rwxrwxrwx'.split('').map((c, i) => (st.mode & (0o400 >> i) ? c : '-')).join('');
  return kind + bits;
}

/** One `ls -l` style line (no CRLF) for LIST and STAT. */
export function listLine(name: string, st: Stat, now: number, linkTarget?: string): string {
  const d = new Date(mtimeMs(st));
  const recent = Math.abs(now - d.getTime()) < SIX_MONTHS_MS;
  const when = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${recent ? `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : ` ${d.getUTCFullYear()}`}`;
  const target = linkTarget !== undefined ? ` -> ${linkTarget}` : '';
  return `${modeString(st)} ${String(st.nlink).padStart(3)} ftp      ftp      ${String(st.size).padStart(12)} ${when} ${name}${target}`;
}

/** The RFC 3659 `perm` fact: what this user may do with the entry at `path`. */
export function permFact(path: string, st: Stat, user: User): string {
  if (path === '/.snapshots') return user.snapshotCreate ? 'elm' : 'el';
  if (/^\/\.snapshots\/[^/]+$/.test(path)) return user.snapshotDelete ? 'eld' : 'el';
  const ro = st.readOnly || user.readOnly;
  if (st.kind === 'dir') return ro ? 'el' : 'elcmdfp';
  return ro ? 'r' : 'rwadf';
}

/** The `Fact=value;` list for one entry (MLSD line or MLST body), restricted to `facts`. */
export function factsOf(path: string, st: Stat, user: User, facts: ReadonlySet<Fact>): string {
  const type = st.kind === 'dir' ? 'dir' : st.kind === 'symlink' ? 'OS.unix=symlink' : 'file';
  const values: Record<Fact, string> = {
    type,
    size: String(st.size),
    modify: ftpTime(mtimeMs(st), true),
    perm: permFact(path, st, user),
    unique: `${st.readOnly ? 's' : ''}${st.ino.toString(16)}`,
    'unix.mode': `0${(st.mode & 0o7777).toString(8)}`,
  };
  return ALL_FACTS.filter((f) => facts.has(f)).map((f) => `${f}=${values[f]};`).join('');
}
