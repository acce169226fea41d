import type { PointChunk, PointCloudSource } from "../../src/processors/point-cloud/point-chunk.ts";

/** One string per point with every attribute it carries: two clouds hold the same points exactly
 * when their sorted key lists are equal. */
export function pointKeys(c: PointChunk): string[] {
  const extra = c.extraBytes ? c.extraBytes.length / Math.max(1, c.count) : 0;
  const keys: string[] = [];
  for (let i = 0; i < c.count; i++) {
    const parts: (number | string)[] = [c.x[i]!, c.y[i]!, c.z[i]!];
    for (const a of [c.intensity, c.red, c.green, c.blue, c.nir, c.classification, c.returnNumber, c.numberOfReturns, c.gpsTime]) if (a) parts.push(a[i]!);
    if (c.las) parts.push(c.las.flags[i]!, c.las.scannerChannel[i]!, c.las.scanAngle[i]!, c.las.userData[i]!, c.las.pointSourceId[i]!);
    if (extra) parts.push(Buffer.from(c.extraBytes!.subarray(i * extra, (i + 1) * extra)).toString("hex"));
    keys.push(parts.join(","));
  }
  return keys;
}

/** Every point key of a source, sorted. */
export async function sourceKeys(source: PointCloudSource): Promise<string[]> {
  const keys: string[] = [];
  try {
    for await (const c of source.points()) for (const k of pointKeys(c)) keys.push(k);
  } finally {
    await source.close();
  }
  return keys.sort();
}
