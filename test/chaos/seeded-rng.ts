/** A small seeded generator (mulberry32): the same seed gives the same kill times, targets and task
 * mix, so a failing chaos run can be replayed with `--seed`. */
export interface Rng {
  readonly seed: number;
  /** [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** A number in [lo, hi). */
  between(lo: number, hi: number): number;
}

export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { seed, next, int: (n) => Math.floor(next() * n), between: (lo, hi) => lo + next() * (hi - lo) };
}
