// The credit window of one connection ([MS-SMB2] 3.3.1.1): which MessageIds a client may use, and grants.

/** Most credits a client may hold at once (Samba's default "smb2 max credits"). */
const MAX_OUTSTANDING = 8192n;
/** Widest span of MessageIds tracked at once: a client that never uses its lowest id gets no more grants beyond it. */
const SPAN = 65536;

/** Tracks granted and used MessageIds; refuses reuse and ids beyond the grant. */
export class CreditWindow {
  private low = 0n;
  private high = 1n;
  /** used[(lowSlot + k) % SPAN] says whether MessageId low + k has been used. */
  private readonly used = new Uint8Array(SPAN);
  private lowSlot = 0;
  private usedCount = 0;

  /** Marks `charge` ids from `id` used; false when any is outside the window or already used. */
  consume(id: bigint, charge: number): boolean {
    const n = Math.max(1, charge);
    if (id < this.low || id + BigInt(n) > this.high) return false;
    const first = this.lowSlot + Number(id - this.low);
    for (let k = 0; k < n; k++) if (this.used[(first + k) % SPAN]) return false;
    for (let k = 0; k < n; k++) this.used[(first + k) % SPAN] = 1;
    this.usedCount += n;
    while (this.used[this.lowSlot]) {
      this.used[this.lowSlot] = 0;
      this.lowSlot = (this.lowSlot + 1) % SPAN;
      this.low++;
      this.usedCount--;
    }
    return true;
  }

  /** Grants up to `requested` more credits (at least one when the client would otherwise hold none). */
  grant(requested: number): number {
    const outstanding = this.high - this.low - BigInt(this.usedCount);
    let n = BigInt(Math.max(requested, 1));
    if (outstanding + n > MAX_OUTSTANDING) n = MAX_OUTSTANDING - outstanding;
    const room = BigInt(SPAN) - (this.high - this.low);
    if (n > room) n = room;
    if (n < 0n) n = 0n;
    if (n === 0n && outstanding === 0n) n = 1n;
    this.high += n;
    return Number(n);
  }
}
