// A set of disjoint half-open byte ranges [start, end), kept sorted and merged.

/** Sorted, merged byte ranges. */
export class IntervalSet {
  private ranges: Array<[number, number]> = [];

  /** True when no range is held. */
  get empty(): boolean {
    return this.ranges.length === 0;
  }

  /** Adds [start, end), merging with neighbours. */
  add(start: number, end: number): void {
    if (end <= start) return;
    const out: Array<[number, number]> = [];
    let s = start;
    let e = end;
    let placed = false;
    for (const [a, b] of this.ranges) {
      if (b < s) out.push([a, b]);
      else if (a > e) {
        if (!placed) {
          out.push([s, e]);
          placed = true;
        }
        out.push([a, b]);
      } else {
        s = Math.min(s, a);
        e = Math.max(e, b);
      }
    }
    if (!placed) out.push([s, e]);
    this.ranges = out;
  }

  /** Drops everything at or beyond `at`. */
  cut(at: number): void {
    this.ranges = this.ranges.filter(([a]) => a < at).map(([a, b]) => [a, Math.min(b, at)] as [number, number]);
  }

  /** The parts of the set inside [start, end). */
  overlapping(start: number, end: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (const [a, b] of this.ranges) {
      if (b <= start) continue;
      if (a >= end) break;
      out.push([Math.max(a, start), Math.min(b, end)]);
    }
    return out;
  }

  /** Removes every range. */
  clear(): void {
    this.ranges = [];
  }
}
