import type { Bounds, PointChunk, Vec3 } from "../../point-cloud/point-chunk.ts";

/** At most `maxPoints` of a stream's points, kept evenly along the stream (every 2^k-th), plus the
 * bounds and count of every point read. Deterministic: the same stream gives the same sample. */
export interface PointSample {
  count: number;
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  /** 8-bit RGB, 3 bytes a point; undefined when the stream has no colour. */
  rgb: Uint8Array | undefined;
  /** Points read, sampled or not. */
  read: number;
  /** Tight bounds of every finite point read; undefined when there was none. */
  bounds: Bounds | undefined;
}

export async function samplePoints(points: AsyncIterable<PointChunk>, maxPoints: number, color: boolean, signal?: AbortSignal): Promise<PointSample> {
  const cap = Math.max(1, Math.floor(maxPoints));
  const x = new Float64Array(cap),
    y = new Float64Array(cap),
    z = new Float64Array(cap);
  const rgb16 = color ? new Uint16Array(cap * 3) : undefined;
  const min: Vec3 = [Infinity, Infinity, Infinity],
    max: Vec3 = [-Infinity, -Infinity, -Infinity];
  let kept = 0,
    stride = 1,
    read = 0,
    maxChannel = 0;
  for await (const c of points) {
    signal?.throwIfAborted();
    for (let i = 0; i < c.count; i++, read++) {
      const px = c.x[i]!,
        py = c.y[i]!,
        pz = c.z[i]!;
      if (!(Number.isFinite(px) && Number.isFinite(py) && Number.isFinite(pz))) continue;
      if (px < min[0]) min[0] = px;
      if (px > max[0]) max[0] = px;
      if (py < min[1]) min[1] = py;
      if (py > max[1]) max[1] = py;
      if (pz < min[2]) min[2] = pz;
      if (pz > max[2]) max[2] = pz;
      if (read % stride !== 0) continue;
      if (kept === cap) {
        // full: keep every other sample, and from now on every (2 × stride)-th point
        kept = halve(x, y, z, rgb16, kept);
        stride *= 2;
        if (read % stride !== 0) continue;
      }
      x[kept] = px;
      y[kept] = py;
      z[kept] = pz;
      if (rgb16) {
        const r = c.red?.[i] ?? 0,
          g = c.green?.[i] ?? 0,
          b = c.blue?.[i] ?? 0;
        rgb16[3 * kept] = r;
        rgb16[3 * kept + 1] = g;
        rgb16[3 * kept + 2] = b;
        maxChannel = Math.max(maxChannel, r, g, b);
      }
      kept++;
    }
  }
  let rgb: Uint8Array | undefined;
  if (rgb16) {
    // 8-bit values stored in the 16-bit fields (many exporters do that) stay as they are
    const shift = maxChannel > 255 ? 8 : 0;
    rgb = new Uint8Array(kept * 3);
    for (let i = 0; i < kept * 3; i++) rgb[i] = rgb16[i]! >> shift;
  }
  return {
    count: kept,
    x: x.subarray(0, kept),
    y: y.subarray(0, kept),
    z: z.subarray(0, kept),
    rgb,
    read,
    bounds: min[0] <= max[0] ? { min, max } : undefined,
  };
}

function halve(x: Float64Array, y: Float64Array, z: Float64Array, rgb: Uint16Array | undefined, n: number): number {
  let w = 0;
  for (let r = 0; r < n; r += 2, w++) {
    x[w] = x[r]!;
    y[w] = y[r]!;
    z[w] = z[r]!;
    if (rgb) rgb.copyWithin(3 * w, 3 * r, 3 * r + 3);
  }
  return w;
}
