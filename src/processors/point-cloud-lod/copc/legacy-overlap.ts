import type { PointChunk } from "../../point-cloud/point-chunk.ts";

const LEGACY_OVERLAP_CLASS = 12;
const OVERLAP_FLAG = 1 << 3;

/** LAS 1.2 formats (0–5) mark overlap points with class 12; formats 6–10 have an overlap flag and
 * reserve class 12. Such points become class 0 with the overlap flag (what the `copc` reader
 * reports for the legacy point too). Returns `chunk` itself when it has none; never mutates it. */
export function legacyOverlapToFlag(chunk: PointChunk): PointChunk {
  const cls = chunk.classification;
  if (!cls || !cls.includes(LEGACY_OVERLAP_CLASS)) return chunk;
  const classification = cls.slice();
  const flags = chunk.las ? chunk.las.flags.slice() : new Uint8Array(chunk.count);
  for (let i = 0; i < chunk.count; i++) {
    if (classification[i] !== LEGACY_OVERLAP_CLASS) continue;
    classification[i] = 0;
    flags[i] = flags[i]! | OVERLAP_FLAG;
  }
  const las = chunk.las ?? {
    flags,
    scannerChannel: new Uint8Array(chunk.count),
    scanAngle: new Float32Array(chunk.count),
    userData: new Uint8Array(chunk.count),
    pointSourceId: new Uint16Array(chunk.count),
  };
  return { ...chunk, classification, las: { ...las, flags } };
}
