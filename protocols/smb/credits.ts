// The credit window of one connection ([MS-SMB2] 3.3.1.1): which MessageIds a client may use, and grants.

/** Most credits a client may hold at once. */
const MAX_OUTSTANDING = 512n;

/** Tracks granted and used MessageIds; refuses reuse and ids beyond the grant. */
export class CreditWindow {
  private low = 0n;
  private high = 1n;
  private readonly used = new Set<bigint>();

  /** Marks `charge` ids from `id` used; false when any is outside the window or already used. */
  consume(id: bigint, charge: number): boolean {
    const n = BigInt(Math.max(1, charge));
    if (id < this.low || id + n > this.high) return false;
    for (let k = 0n; k < n; k++) if (this.used.has(id + k)) return false;
    for (let k = 0n; k < n; k++) this.used.add(id + k);
    while (this.used.delete(this.low)) this.low++;
    return true;
  }

  /** Grants up to `requested` more credits (at least one when the client would otherwise hold none). */
  grant(requested: number): number {
    const outstanding = this.high - this.low - BigInt(this.used.size);
    let n = BigInt(Math.max(requested, 1));
    if (outstanding + n > MAX_OUTSTANDING) n = MAX_OUTSTANDING - outstanding;
    if (n < 0n) n = 0n;
    if (n === 0n && outstanding === 0n) n = 1n;
    this.high += n;
    return Number(n);
  }
}
