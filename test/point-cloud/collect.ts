import type { PointChunk, PointCloudSource } from "../../src/processors/point-cloud/point-chunk.ts";

/** All points of a (small, test-sized) source concatenated into one chunk-like record of plain arrays. */
export interface Collected {
  count: number;
  chunks: number;
  x: number[];
  y: number[];
  z: number[];
  intensity: number[];
  red: number[];
  green: number[];
  blue: number[];
  classification: number[];
  returnNumber: number[];
  gpsTime: number[];
  extraBytes: number[];
}

export async function collect(source: PointCloudSource): Promise<Collected> {
  const out: Collected = { count: 0, chunks: 0, x: [], y: [], z: [], intensity: [], red: [], green: [], blue: [], classification: [], returnNumber: [], gpsTime: [], extraBytes: [] };
  try {
    for await (const c of source.points()) add(out, c);
  } finally {
    await source.close();
  }
  return out;
}

function add(out: Collected, c: PointChunk): void {
  out.count += c.count;
  out.chunks++;
  out.x.push(...c.x);
  out.y.push(...c.y);
  out.z.push(...c.z);
  if (c.intensity) out.intensity.push(...c.intensity);
  if (c.red) out.red.push(...c.red);
  if (c.green) out.green.push(...c.green);
  if (c.blue) out.blue.push(...c.blue);
  if (c.classification) out.classification.push(...c.classification);
  if (c.returnNumber) out.returnNumber.push(...c.returnNumber);
  if (c.gpsTime) out.gpsTime.push(...c.gpsTime);
  if (c.extraBytes) out.extraBytes.push(...c.extraBytes);
}

/** Largest absolute difference between two coordinate lists of equal length. */
export function maxDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
