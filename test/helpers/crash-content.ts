// Deterministic contents for the crash test's files, so the parent can check them.
import { noise } from './tree.ts';

/** The bytes of file `i` of round `round`: sizes from a few bytes to ~300 KiB. */
export function crashContent(round: number, i: number): Buffer {
  const size = ((round * 7919 + i * 104729) % 300_000) + (i % 5 === 0 ? 3 : 0);
  return noise(size, round * 1000 + i + 1);
}
