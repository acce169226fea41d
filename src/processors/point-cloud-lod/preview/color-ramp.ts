/** Viridis-like stops (perceptually even, colour-blind safe) for colouring by height. */
const STOPS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [65, 68, 135],
  [42, 120, 142],
  [34, 168, 132],
  [122, 209, 81],
  [253, 231, 37],
];

/** RGB for t in [0, 1] (clamped) into `out` at `at`. */
export function rampColor(t: number, out: Uint8Array, at: number): void {
  const s = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(s));
  const f = s - i;
  const a = STOPS[i]!,
    b = STOPS[i + 1]!;
  for (let k = 0; k < 3; k++) out[at + k] = Math.round(a[k]! + (b[k]! - a[k]!) * f);
}
