/** Geometry helpers of the mesh bench: world-space triangles of a document and a sampled symmetric
 * Hausdorff distance (uniform grid over the target's triangles, exact point-triangle distance). */
import type { Document } from "@gltf-transform/core";
import { scenePrimitives } from "../src/processors/mesh/scene-primitives.ts";

export interface Soup {
  /** World-space positions, 9 per triangle. */
  tris: Float32Array;
  count: number;
}

export function worldTriangles(doc: Document): Soup {
  const out: number[][] = [];
  let total = 0;
  for (const { world: m, positions: pos, indices: idx } of scenePrimitives(doc)) {
    const world = new Float32Array(pos.length);
    for (let i = 0; i < pos.length; i += 3) {
      const [x, y, z] = [pos[i]!, pos[i + 1]!, pos[i + 2]!];
      world[i] = m[0]! * x + m[4]! * y + m[8]! * z + m[12]!;
      world[i + 1] = m[1]! * x + m[5]! * y + m[9]! * z + m[13]!;
      world[i + 2] = m[2]! * x + m[6]! * y + m[10]! * z + m[14]!;
    }
    const t = new Array<number>(idx.length * 3);
    for (let i = 0; i < idx.length; i++) for (let c = 0; c < 3; c++) t[i * 3 + c] = world[idx[i]! * 3 + c]!;
    out.push(t);
    total += idx.length / 3;
  }
  const tris = new Float32Array(total * 9);
  let o = 0;
  for (const t of out) {
    tris.set(t, o);
    o += t.length;
  }
  return { tris, count: total };
}

export function diagonal(s: Soup): number {
  const min = [Infinity, Infinity, Infinity],
    max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < s.tris.length; i++) {
    const k = i % 3;
    min[k] = Math.min(min[k]!, s.tris[i]!);
    max[k] = Math.max(max[k]!, s.tris[i]!);
  }
  return Math.hypot(max[0]! - min[0]!, max[1]! - min[1]!, max[2]! - min[2]!);
}

/** Squared distance from p to triangle (a, b, c) — Ericson, Real-Time Collision Detection 5.1.5. */
function pointTriangle2(t: Float32Array, o: number, px: number, py: number, pz: number): number {
  const ax = t[o]!,
    ay = t[o + 1]!,
    az = t[o + 2]!,
    bx = t[o + 3]!,
    by = t[o + 4]!,
    bz = t[o + 5]!,
    cx = t[o + 6]!,
    cy = t[o + 7]!,
    cz = t[o + 8]!;
  const abx = bx - ax,
    aby = by - ay,
    abz = bz - az,
    acx = cx - ax,
    acy = cy - ay,
    acz = cz - az;
  const apx = px - ax,
    apy = py - ay,
    apz = pz - az;
  const d1 = abx * apx + aby * apy + abz * apz,
    d2 = acx * apx + acy * apy + acz * apz;
  const q = (x: number, y: number, z: number) => (px - x) ** 2 + (py - y) ** 2 + (pz - z) ** 2;
  if (d1 <= 0 && d2 <= 0) return q(ax, ay, az);
  const bpx = px - bx,
    bpy = py - by,
    bpz = pz - bz;
  const d3 = abx * bpx + aby * bpy + abz * bpz,
    d4 = acx * bpx + acy * bpy + acz * bpz;
  if (d3 >= 0 && d4 <= d3) return q(bx, by, bz);
  const vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0) {
    const v = d1 / (d1 - d3);
    return q(ax + v * abx, ay + v * aby, az + v * abz);
  }
  const cpx = px - cx,
    cpy = py - cy,
    cpz = pz - cz;
  const d5 = abx * cpx + aby * cpy + abz * cpz,
    d6 = acx * cpx + acy * cpy + acz * cpz;
  if (d6 >= 0 && d5 <= d6) return q(cx, cy, cz);
  const vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0) {
    const w = d2 / (d2 - d6);
    return q(ax + w * acx, ay + w * acy, az + w * acz);
  }
  const va = d3 * d6 - d5 * d4;
  if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) {
    const w = (d4 - d3) / (d4 - d3 + (d5 - d6));
    return q(bx + w * (cx - bx), by + w * (cy - by), bz + w * (cz - bz));
  }
  const sum = va + vb + vc;
  // A degenerate (zero-area) triangle: its nearest point is one of its corners or edges, bounded by the corners.
  if (!(Math.abs(sum) > 0)) return Math.min(q(ax, ay, az), q(bx, by, bz), q(cx, cy, cz));
  const v = vb / sum,
    w = vc / sum;
  return q(ax + abx * v + acx * w, ay + aby * v + acy * w, az + abz * v + acz * w);
}

/** Uniform grid over a soup's triangles for nearest-surface queries. */
function grid(s: Soup) {
  const min = [Infinity, Infinity, Infinity],
    max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < s.tris.length; i++) {
    const k = i % 3;
    min[k] = Math.min(min[k]!, s.tris[i]!);
    max[k] = Math.max(max[k]!, s.tris[i]!);
  }
  const extent = [max[0]! - min[0]!, max[1]! - min[1]!, max[2]! - min[2]!].map((e) => e || 1e-9);
  // Cells about twice a typical triangle's size (surfaces fill few cells of their box's volume).
  let area = 0;
  for (let t = 0; t < s.count; t++) {
    const o = t * 9,
      T = s.tris;
    const ux = T[o + 3]! - T[o]!,
      uy = T[o + 4]! - T[o + 1]!,
      uz = T[o + 5]! - T[o + 2]!,
      vx = T[o + 6]! - T[o]!,
      vy = T[o + 7]! - T[o + 1]!,
      vz = T[o + 8]! - T[o + 2]!;
    area += Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx) / 2;
  }
  const cell = Math.max(2 * Math.sqrt(area / Math.max(1, s.count)), Math.max(...extent) / 512) || Math.max(...extent) / 64;
  const dims = extent.map((e) => Math.max(1, Math.min(512, Math.ceil(e / cell))));
  const cs = extent.map((e, k) => e / dims[k]!);
  const cells = new Map<number, number[]>();
  const key = (x: number, y: number, z: number) => (x * dims[1]! + y) * dims[2]! + z;
  const at = (v: number, k: number) => Math.min(dims[k]! - 1, Math.max(0, Math.floor((v - min[k]!) / cs[k]!)));
  for (let t = 0; t < s.count; t++) {
    const o = t * 9;
    const lo = [0, 1, 2].map((k) => at(Math.min(s.tris[o + k]!, s.tris[o + 3 + k]!, s.tris[o + 6 + k]!), k));
    const hi = [0, 1, 2].map((k) => at(Math.max(s.tris[o + k]!, s.tris[o + 3 + k]!, s.tris[o + 6 + k]!), k));
    for (let x = lo[0]!; x <= hi[0]!; x++)
      for (let y = lo[1]!; y <= hi[1]!; y++)
        for (let z = lo[2]!; z <= hi[2]!; z++) {
          const kk = key(x, y, z);
          let list = cells.get(kk);
          if (!list) cells.set(kk, (list = []));
          list.push(t);
        }
  }
  const minCell = Math.min(...cs);
  const stamp = new Int32Array(s.count).fill(-1);
  let query = 0;
  return {
    nearest(px: number, py: number, pz: number): number {
      const c = [at(px, 0), at(py, 1), at(pz, 2)];
      let best = Infinity;
      query++;
      for (let r = 0; r < Math.max(...dims); r++) {
        for (let x = c[0]! - r; x <= c[0]! + r; x++)
          for (let y = c[1]! - r; y <= c[1]! + r; y++)
            for (let z = c[2]! - r; z <= c[2]! + r; z++) {
              if (Math.max(Math.abs(x - c[0]!), Math.abs(y - c[1]!), Math.abs(z - c[2]!)) !== r) continue;
              if (x < 0 || y < 0 || z < 0 || x >= dims[0]! || y >= dims[1]! || z >= dims[2]!) continue;
              for (const t of cells.get(key(x, y, z)) ?? []) {
                if (stamp[t] === query) continue;
                stamp[t] = query;
                const d = pointTriangle2(s.tris, t * 9, px, py, pz);
                if (d < best) best = d;
              }
            }
        // Everything outside ring r is at least r cells away.
        if (best < Infinity && Math.sqrt(best) <= r * minCell) break;
      }
      return Math.sqrt(best);
    },
  };
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** `n` points uniformly on a soup's surface (area-weighted). */
function samples(s: Soup, n: number, seed: number): Float32Array {
  const area = new Float64Array(s.count);
  let total = 0;
  for (let t = 0; t < s.count; t++) {
    const o = t * 9,
      T = s.tris;
    const ux = T[o + 3]! - T[o]!,
      uy = T[o + 4]! - T[o + 1]!,
      uz = T[o + 5]! - T[o + 2]!,
      vx = T[o + 6]! - T[o]!,
      vy = T[o + 7]! - T[o + 1]!,
      vz = T[o + 8]! - T[o + 2]!;
    total += Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx) / 2;
    area[t] = total;
  }
  const random = rng(seed);
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const target = random() * total;
    let lo = 0,
      hi = s.count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (area[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    let a = random(),
      b = random();
    if (a + b > 1) {
      a = 1 - a;
      b = 1 - b;
    }
    const o = lo * 9,
      T = s.tris;
    for (let k = 0; k < 3; k++) out[i * 3 + k] = T[o + k]! + a * (T[o + 3 + k]! - T[o + k]!) + b * (T[o + 6 + k]! - T[o + k]!);
  }
  return out;
}

/** Sampled symmetric Hausdorff distance: max over both directions of the largest sample-to-surface distance. */
export function hausdorff(a: Soup, b: Soup, n = 20_000): number {
  let worst = 0;
  for (const [from, to, seed] of [
    [a, b, 1],
    [b, a, 2],
  ] as const) {
    const g = grid(to);
    const pts = samples(from, n, seed);
    for (let i = 0; i < n; i++) worst = Math.max(worst, g.nearest(pts[i * 3]!, pts[i * 3 + 1]!, pts[i * 3 + 2]!));
  }
  return worst;
}
