import { openLasSource } from "../../src/processors/point-cloud/las/las-reader.ts";
import type { Bounds, PointChunk, PointCloudHeader } from "../../src/processors/point-cloud/point-chunk.ts";
import type { NodeKey, Octree, OctreeNode } from "../../src/processors/point-cloud-lod/octree/octree.ts";

/** Every point of a small file in one chunk (typed arrays of every attribute the reader yields). */
export async function readAll(path: string): Promise<{ header: PointCloudHeader; points: PointChunk }> {
  const source = await openLasSource(path, {});
  const chunks: PointChunk[] = [];
  try {
    for await (const c of source.points()) chunks.push(c);
  } finally {
    await source.close();
  }
  return { header: source.header, points: concat(chunks) };
}

function concat(chunks: PointChunk[]): PointChunk {
  const count = chunks.reduce((s, c) => s + c.count, 0);
  const out: PointChunk = { count, x: new Float64Array(count), y: new Float64Array(count), z: new Float64Array(count) };
  const fields = ["intensity", "red", "green", "blue", "classification", "gpsTime"] as const;
  for (const f of fields) {
    const first = chunks[0]?.[f];
    if (!first) continue;
    const Ctor = first.constructor as new (n: number) => typeof first;
    (out as unknown as Record<string, unknown>)[f] = new Ctor(count);
  }
  let at = 0;
  for (const c of chunks) {
    out.x.set(c.x, at);
    out.y.set(c.y, at);
    out.z.set(c.z, at);
    for (const f of fields) {
      const src = c[f],
        dst = out[f];
      if (src && dst) (dst as Float64Array).set(src, at);
    }
    at += c.count;
  }
  return out;
}

/** The points at `idx`, every attribute. */
export function subset(p: PointChunk, idx: Uint32Array): PointChunk {
  const out: PointChunk = { count: idx.length, x: new Float64Array(idx.length), y: new Float64Array(idx.length), z: new Float64Array(idx.length) };
  const fields = ["intensity", "red", "green", "blue", "classification", "gpsTime"] as const;
  for (const f of fields) {
    const src = p[f];
    if (!src) continue;
    const Ctor = src.constructor as new (n: number) => Float64Array;
    const dst = new Ctor(idx.length);
    const from = src as unknown as Float64Array;
    for (let i = 0; i < idx.length; i++) dst[i] = from[idx[i]!]!;
    (out as unknown as Record<string, unknown>)[f] = dst;
  }
  for (let i = 0; i < idx.length; i++) {
    out.x[i] = p.x[idx[i]!]!;
    out.y[i] = p.y[idx[i]!]!;
    out.z[i] = p.z[idx[i]!]!;
  }
  return out;
}

export interface FakeOctreeOptions {
  /** A node with at most this many points is a leaf. */
  maxPerNode: number;
  /** Sampling grid per node axis: a node keeps the first point of each cell. */
  cells: number;
}

/** A small octree built in memory by a simple recursive rule — a stand-in for the real builder with
 * the same contract: breadth-first nodes, every point in exactly one node, tight node bounds. */
export function fakeOctree(header: PointCloudHeader, points: PointChunk, options: FakeOctreeOptions = { maxPerNode: 4000, cells: 24 }): Octree {
  const all = new Uint32Array(points.count).map((_, i) => i);
  const bounds = boundsOf(points, all);
  const side = Math.max(bounds.max[0] - bounds.min[0], bounds.max[1] - bounds.min[1], bounds.max[2] - bounds.min[2], 1e-9);
  const cube: Bounds = { min: [...bounds.min], max: [bounds.min[0] + side, bounds.min[1] + side, bounds.min[2] + side] };
  const held = new Map<string, Uint32Array>();
  const nodes: OctreeNode[] = [];
  // Breadth-first: a queue of (key, points of the subtree).
  let level: { key: NodeKey; idx: Uint32Array }[] = [{ key: { d: 0, x: 0, y: 0, z: 0 }, idx: all }];
  const byName = new Map<string, OctreeNode>();
  while (level.length > 0) {
    const next: { key: NodeKey; idx: Uint32Array }[] = [];
    for (const { key, idx } of level) {
      const s = side / 2 ** key.d;
      const c: Bounds = {
        min: [cube.min[0] + key.x * s, cube.min[1] + key.y * s, cube.min[2] + key.z * s],
        max: [cube.min[0] + (key.x + 1) * s, cube.min[1] + (key.y + 1) * s, cube.min[2] + (key.z + 1) * s],
      };
      let own: Uint32Array;
      const rest: number[] = [];
      if (idx.length <= options.maxPerNode || key.d >= 20) own = idx;
      else {
        const seen = new Set<number>();
        const keep: number[] = [];
        const n = options.cells;
        for (const i of idx) {
          const cx = Math.min(n - 1, Math.floor(((points.x[i]! - c.min[0]) / s) * n));
          const cy = Math.min(n - 1, Math.floor(((points.y[i]! - c.min[1]) / s) * n));
          const cz = Math.min(n - 1, Math.floor(((points.z[i]! - c.min[2]) / s) * n));
          const cell = (cz * n + cy) * n + cx;
          if (seen.has(cell)) rest.push(i);
          else {
            seen.add(cell);
            keep.push(i);
          }
        }
        own = Uint32Array.from(keep);
      }
      const childIdx = new Map<number, number[]>();
      for (const i of rest) {
        const ox = points.x[i]! >= c.min[0] + s / 2 ? 1 : 0;
        const oy = points.y[i]! >= c.min[1] + s / 2 ? 1 : 0;
        const oz = points.z[i]! >= c.min[2] + s / 2 ? 1 : 0;
        const o = ox | (oy << 1) | (oz << 2);
        let list = childIdx.get(o);
        if (!list) childIdx.set(o, (list = []));
        list.push(i);
      }
      const children: NodeKey[] = [];
      for (let o = 0; o < 8; o++) {
        const list = childIdx.get(o);
        if (!list) continue;
        const ck = { d: key.d + 1, x: key.x * 2 + (o & 1), y: key.y * 2 + ((o >> 1) & 1), z: key.z * 2 + ((o >> 2) & 1) };
        children.push(ck);
        next.push({ key: ck, idx: Uint32Array.from(list) });
      }
      const name = `${key.d}-${key.x}-${key.y}-${key.z}`;
      held.set(name, own);
      const node: OctreeNode = { key, cube: c, bounds: boundsOf(points, own), pointCount: own.length, subtreePointCount: idx.length, spacing: s / options.cells, children };
      nodes.push(node);
      byName.set(name, node);
    }
    level = next;
  }
  return {
    header,
    pointCount: points.count,
    bounds,
    cube,
    nodes,
    readNode: (key) => {
      const idx = held.get(`${key.d}-${key.x}-${key.y}-${key.z}`);
      if (!idx) return Promise.reject(new Error(`no node ${key.d}-${key.x}-${key.y}-${key.z}`));
      return Promise.resolve(subset(points, idx));
    },
  };
}

function boundsOf(p: PointChunk, idx: Uint32Array): Bounds {
  const min: [number, number, number] = [Infinity, Infinity, Infinity],
    max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (const i of idx) {
    const v = [p.x[i]!, p.y[i]!, p.z[i]!];
    for (let a = 0; a < 3; a++) {
      if (v[a]! < min[a]!) min[a] = v[a]!;
      if (v[a]! > max[a]!) max[a] = v[a]!;
    }
  }
  return { min, max };
}
