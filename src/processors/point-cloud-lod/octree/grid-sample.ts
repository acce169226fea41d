import type { Bounds, PointChunk } from "../../point-cloud/point-chunk.ts";
import type { NodeKey } from "./octree.ts";

/** Cells per axis of a node's sampling grid: a node keeps at most one point per cell, so its
 * spacing is its cube's edge / GRID (PotreeConverter 2 uses the same 128). */
export const GRID = 128;
const GRID_BITS = 7;

/** The cube of node `key` within the root cube, computed from the root (never accumulated), so the
 * builder, its workers and the writers agree to the last bit. */
export function nodeCube(root: Bounds, key: NodeKey): Bounds {
  const size = (root.max[0] - root.min[0]) / 2 ** key.d;
  const min: [number, number, number] = [root.min[0] + key.x * size, root.min[1] + key.y * size, root.min[2] + key.z * size];
  return { min, max: [min[0] + size, min[1] + size, min[2] + size] };
}

/** Cell index of `v` along one axis of a cube of edge `size` split into `cells` (clamped to the cube). */
export function cellOf(v: number, min: number, size: number, cells: number): number {
  const c = Math.floor(((v - min) / size) * cells);
  return c < 0 ? 0 : c >= cells ? cells - 1 : c;
}

/** Per axis, a cell coordinate's bits already placed where the reversed 3×7-bit Morton code puts
 * them: Morton bit 3b+a (bit b of axis a) lands at bit 20-(3b+a). */
const REVERSED = [0, 1, 2].map((axis) => {
  const t = new Uint32Array(GRID);
  for (let v = 0; v < GRID; v++) for (let b = 0; b < GRID_BITS; b++) if ((v >> b) & 1) t[v]! |= 1 << (3 * GRID_BITS - 1 - (3 * b + axis));
  return t;
}) as [Uint32Array, Uint32Array, Uint32Array];

/** 3×7-bit Morton code of a cell, bits reversed: consecutive keys land far apart, so any prefix
 * of points sorted by it is spread over the whole node (a progressive order). */
const reversedMorton = (cx: number, cy: number, cz: number): number => REVERSED[0][cx]! | REVERSED[1][cy]! | REVERSED[2][cz]!;

/** `index` sorted by (reversed Morton code of the point's grid cell, position in `index`): a
 * deterministic order in which every prefix is spatially even. */
export function progressiveOrder(c: PointChunk, index: ArrayLike<number>, cube: Bounds): Uint32Array {
  const size = cube.max[0] - cube.min[0];
  const keys = new Float64Array(index.length);
  for (let j = 0; j < index.length; j++) {
    const i = index[j]!;
    const r = reversedMorton(cellOf(c.x[i]!, cube.min[0], size, GRID), cellOf(c.y[i]!, cube.min[1], size, GRID), cellOf(c.z[i]!, cube.min[2], size, GRID));
    keys[j] = r * 2 ** 31 + j;
  }
  keys.sort();
  const out = new Uint32Array(index.length);
  for (let j = 0; j < keys.length; j++) out[j] = index[keys[j]! % 2 ** 31]!;
  return out;
}

let best: Int32Array | undefined;
let bestDist: Float64Array | undefined;

/** Grid sampling: in each occupied cell of the node's GRID³ grid, the point nearest the cell's
 * centre (ties: the earlier one) is kept; the others are returned as `rest`, in input order. */
export function gridSample(c: PointChunk, index: ArrayLike<number>, cube: Bounds): { kept: Uint32Array; rest: Uint32Array } {
  best ??= new Int32Array(GRID ** 3).fill(-1);
  bestDist ??= new Float64Array(GRID ** 3);
  const size = cube.max[0] - cube.min[0],
    cell = size / GRID;
  const touched: number[] = [];
  for (let j = 0; j < index.length; j++) {
    const i = index[j]!;
    const x = c.x[i]!,
      y = c.y[i]!,
      z = c.z[i]!;
    const cx = cellOf(x, cube.min[0], size, GRID),
      cy = cellOf(y, cube.min[1], size, GRID),
      cz = cellOf(z, cube.min[2], size, GRID);
    const dx = x - (cube.min[0] + (cx + 0.5) * cell),
      dy = y - (cube.min[1] + (cy + 0.5) * cell),
      dz = z - (cube.min[2] + (cz + 0.5) * cell);
    const d = dx * dx + dy * dy + dz * dz;
    const k = (cx << (2 * GRID_BITS)) | (cy << GRID_BITS) | cz;
    const b = best[k]!;
    if (b < 0) {
      touched.push(k);
      best[k] = j;
      bestDist[k] = d;
    } else if (d < bestDist[k]!) {
      best[k] = j;
      bestDist[k] = d;
    }
  }
  const keep = new Uint8Array(index.length);
  for (const k of touched) {
    keep[best[k]!] = 1;
    best[k] = -1;
  }
  const kept = new Uint32Array(touched.length),
    rest = new Uint32Array(index.length - touched.length);
  let a = 0,
    r = 0;
  for (let j = 0; j < index.length; j++) {
    if (keep[j]) kept[a++] = index[j]!;
    else rest[r++] = index[j]!;
  }
  return { kept, rest };
}

/** Tight bounds of the points at `index`. */
export function boundsOf(c: PointChunk, index: ArrayLike<number>): Bounds {
  const min: [number, number, number] = [Infinity, Infinity, Infinity],
    max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (const [a, v] of [c.x, c.y, c.z].entries()) {
    let lo = Infinity,
      hi = -Infinity;
    for (let j = 0; j < index.length; j++) {
      const t = v[index[j]!]!;
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
    min[a] = lo;
    max[a] = hi;
  }
  return { min, max };
}

/** The child octant (0–7, bit 0 = x, 1 = y, 2 = z) of every point at `index` within `cube`. */
export function octants(c: PointChunk, index: ArrayLike<number>, cube: Bounds): Uint8Array {
  const size = cube.max[0] - cube.min[0];
  const out = new Uint8Array(index.length);
  for (let j = 0; j < index.length; j++) {
    const i = index[j]!;
    out[j] = cellOf(c.x[i]!, cube.min[0], size, 2) | (cellOf(c.y[i]!, cube.min[1], size, 2) << 1) | (cellOf(c.z[i]!, cube.min[2], size, 2) << 2);
  }
  return out;
}

export const childKey = (k: NodeKey, octant: number): NodeKey => ({ d: k.d + 1, x: 2 * k.x + (octant & 1), y: 2 * k.y + ((octant >> 1) & 1), z: 2 * k.z + ((octant >> 2) & 1) });
