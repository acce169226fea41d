import type { Bounds, PointChunk } from "../../point-cloud/point-chunk.ts";

type Column = Float64Array | Float32Array | Uint16Array | Uint8Array;
const COLUMNS = ["x", "y", "z", "intensity", "red", "green", "blue", "nir", "classification", "returnNumber", "numberOfReturns", "gpsTime"] as const;
const MORTON_BITS = 10;

/** The order a node's points are compressed in. LASzip predicts each point from the previous one, so
 * the order decides the size: acquisition order (GPS time, ties kept as they come, so a pulse's
 * returns stay together) halves autzen's COPC against the octree's sampling order; without GPS time,
 * z-order within the node's cube. Undefined when the chunk is already in that order. */
export function compressionOrder(chunk: PointChunk, cube: Bounds): Uint32Array | undefined {
  const n = chunk.count;
  if (n < 2) return undefined;
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const t = chunk.gpsTime;
  if (t && t.some((v) => v !== t[0])) {
    if (isSorted(t)) return undefined;
    return order.sort((a, b) => t[a]! - t[b]! || a - b);
  }
  const key = new Uint32Array(n);
  const cells = 2 ** MORTON_BITS;
  const axis = (v: number, a: 0 | 1 | 2): number => {
    const span = cube.max[a] - cube.min[a];
    const c = span > 0 ? Math.floor(((v - cube.min[a]) / span) * cells) : 0;
    return c < 0 ? 0 : c >= cells ? cells - 1 : c;
  };
  for (let i = 0; i < n; i++) key[i] = interleave(axis(chunk.x[i]!, 0), axis(chunk.y[i]!, 1), axis(chunk.z[i]!, 2));
  if (isSorted(key)) return undefined;
  return order.sort((a, b) => key[a]! - key[b]! || a - b);
}

function isSorted(values: ArrayLike<number>): boolean {
  for (let i = 1; i < values.length; i++) if (values[i]! < values[i - 1]!) return false;
  return true;
}

/** 10-bit x, y, z → a 30-bit Morton code (x lowest). */
function interleave(x: number, y: number, z: number): number {
  let m = 0;
  for (let b = MORTON_BITS - 1; b >= 0; b--) m = m * 8 + (((z >> b) & 1) << 2) + (((y >> b) & 1) << 1) + ((x >> b) & 1);
  return m;
}

/** The chunk's points in `order`, every attribute (LAS fields, extra bytes of `extraSize`) kept. */
export function reorderChunk(chunk: PointChunk, order: Uint32Array, extraSize: number): PointChunk {
  const pick = <T extends Column>(column: T, per = 1): T => {
    const out = new (column.constructor as new (length: number) => T)(order.length * per);
    if (per === 1) for (let i = 0; i < order.length; i++) out[i] = column[order[i]!]!;
    else for (let i = 0; i < order.length; i++) out.set(column.subarray(order[i]! * per, order[i]! * per + per), i * per);
    return out;
  };
  const out: PointChunk = { ...chunk };
  const columns = out as unknown as Record<string, Column | undefined>;
  for (const name of COLUMNS) {
    const column = columns[name];
    if (column) columns[name] = pick(column);
  }
  if (chunk.las) {
    const l = chunk.las;
    out.las = { flags: pick(l.flags), scannerChannel: pick(l.scannerChannel), scanAngle: pick(l.scanAngle), userData: pick(l.userData), pointSourceId: pick(l.pointSourceId) };
  }
  if (chunk.extraBytes && extraSize > 0 && chunk.extraBytes.byteLength === chunk.count * extraSize) out.extraBytes = pick(chunk.extraBytes, extraSize);
  return out;
}
