import type { PointChunk } from "./point-chunk.ts";

/** Right shift that turns this file's 16-bit colours into 8-bit ones. Many LAS files (libLAS samples,
 * old exporters) store 0–255 in the 16-bit fields; shifting those by 8 would turn them black, so
 * the first chunk decides: all ≤ 255 → keep as is, else the LAS convention `>> 8`. */
export function colorShiftFor(first: PointChunk): 0 | 8 {
  const channels = [first.red, first.green, first.blue];
  for (const ch of channels) {
    if (!ch) continue;
    for (let i = 0; i < first.count; i++) if (ch[i]! > 255) return 8;
  }
  return 0;
}
