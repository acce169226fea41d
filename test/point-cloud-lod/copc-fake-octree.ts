import { detectInputFormat, openPointCloud } from "../../src/processors/point-cloud/point-cloud-source.ts";
import type { Bounds, PointChunk, PointCloudHeader, Vec3 } from "../../src/processors/point-cloud/point-chunk.ts";
import { nodeName, type NodeKey, type Octree, type OctreeNode } from "../../src/processors/point-cloud-lod/octree/octree.ts";

/** Every point of a (test-sized) file in one chunk. */
export async function readAll(path: string): Promise<{ header: PointCloudHeader; points: PointChunk }> {
  const source = await openPointCloud(path, await detectInputFormat(path));
  const chunks: PointChunk[] = [];
  try {
    for await (const c of source.points()) chunks.push(c);
  } finally {
    await source.close();
  }
  return { header: source.header, points: concatChunks(chunks, source.header.extraBytes?.size ?? 0) };
}

type Column = Float64Array | Float32Array | Uint16Array | Uint8Array;
const COLUMNS = ["x", "y", "z", "intensity", "red", "green", "blue", "nir", "classification", "returnNumber", "numberOfReturns", "gpsTime"] as const;
const LAS_COLUMNS = ["flags", "scannerChannel", "scanAngle", "userData", "pointSourceId"] as const;

function pick<T extends Column>(column: T, indices: ArrayLike<number>, per = 1): T {
  const out = new (column.constructor as new (n: number) => T)(indices.length * per);
  for (let i = 0; i < indices.length; i++) for (let k = 0; k < per; k++) out[i * per + k] = column[indices[i]! * per + k]!;
  return out;
}

/** The points at `indices`, every attribute kept. */
export function selectPoints(all: PointChunk, indices: ArrayLike<number>, extraSize: number): PointChunk {
  const out: PointChunk = { count: indices.length, x: pick(all.x, indices), y: pick(all.y, indices), z: pick(all.z, indices) };
  const o = out as unknown as Record<string, Column>,
    a = all as unknown as Record<string, Column | undefined>;
  for (const name of COLUMNS) {
    const col = a[name];
    if (col) o[name] = pick(col, indices);
  }
  if (all.las) {
    const las = {} as Record<string, Column>;
    for (const name of LAS_COLUMNS) las[name] = pick(all.las[name], indices);
    out.las = las as unknown as NonNullable<PointChunk["las"]>;
  }
  if (all.extraBytes && extraSize > 0) out.extraBytes = pick(all.extraBytes, indices, extraSize);
  return out;
}

export function concatChunks(chunks: readonly PointChunk[], extraSize: number): PointChunk {
  const count = chunks.reduce((n, c) => n + c.count, 0);
  const joined = (get: (c: PointChunk) => Column | undefined, per = 1): Column | undefined => {
    const first = chunks[0] && get(chunks[0]);
    if (!first) return undefined;
    const out = new (first.constructor as new (n: number) => Column)(count * per);
    let at = 0;
    for (const c of chunks) {
      out.set(get(c)!, at);
      at += c.count * per;
    }
    return out;
  };
  const out = { count } as Record<string, unknown>;
  for (const name of COLUMNS) {
    const col = joined((c) => (c as unknown as Record<string, Column | undefined>)[name]);
    if (col) out[name] = col;
  }
  if (chunks[0]?.las) out.las = Object.fromEntries(LAS_COLUMNS.map((n) => [n, joined((c) => c.las![n])]));
  if (extraSize > 0) {
    const eb = joined((c) => c.extraBytes, extraSize);
    if (eb) out.extraBytes = eb;
  }
  if (count === 0) Object.assign(out, { x: new Float64Array(0), y: new Float64Array(0), z: new Float64Array(0) });
  return out as unknown as PointChunk;
}

export interface FakeOctreeOptions {
  /** Sample cells per node edge: a node keeps the first point of each cell. Default: 16. */
  grid?: number;
  /** Deepest level; it keeps every point left. Default: 5. */
  maxDepth?: number;
}

/** A small hand-made octree over in-memory points: per node, the first point of each grid cell
 * stays, the rest go one level down (ADD refinement, every point in exactly one node). Nodes
 * breadth-first, z-order within a level, as the real builder lists them. */
export function fakeOctree(header: PointCloudHeader, all: PointChunk, options: FakeOctreeOptions = {}): Octree & { indicesOf(key: NodeKey): number[] } {
  const grid = options.grid ?? 16,
    maxDepth = options.maxDepth ?? 5;
  const bounds = boundsOf(all);
  const size = Math.max(...[0, 1, 2].map((a) => bounds.max[a]! - bounds.min[a]!), 1e-6) * 1.001;
  const center = [0, 1, 2].map((a) => (bounds.min[a]! + bounds.max[a]!) / 2);
  const cube: Bounds = { min: center.map((c) => c - size / 2) as Vec3, max: center.map((c) => c + size / 2) as Vec3 };
  const byNode = new Map<string, { key: NodeKey; indices: number[] }>();
  let remaining = Array.from({ length: all.count }, (_, i) => i);
  const coords = [all.x, all.y, all.z];
  for (let d = 0; d <= maxDepth && remaining.length > 0; d++) {
    const cells = 2 ** d * (d === maxDepth ? 1 : grid);
    const taken = new Set<string>();
    const next: number[] = [];
    for (const i of remaining) {
      const c = [0, 1, 2].map((a) => Math.min(cells - 1, Math.floor(((coords[a]![i]! - cube.min[a]!) / size) * cells)));
      const per = d === maxDepth ? 1 : grid;
      const key: NodeKey = { d, x: Math.floor(c[0]! / per), y: Math.floor(c[1]! / per), z: Math.floor(c[2]! / per) };
      const cell = `${c[0]},${c[1]},${c[2]}`;
      if (d < maxDepth && taken.has(cell)) {
        next.push(i);
        continue;
      }
      taken.add(cell);
      const name = nodeName(key);
      const node = byNode.get(name);
      if (node) node.indices.push(i);
      else byNode.set(name, { key, indices: [i] });
    }
    remaining = next;
  }
  const morton = (k: NodeKey): number => {
    let m = 0;
    for (let b = k.d - 1; b >= 0; b--) m = m * 8 + (((k.x >> b) & 1) | (((k.y >> b) & 1) << 1) | (((k.z >> b) & 1) << 2));
    return m;
  };
  const listed = [...byNode.values()].sort((a, b) => a.key.d - b.key.d || morton(a.key) - morton(b.key));
  const subtree = new Map<string, number>();
  for (const n of [...listed].reverse()) {
    const name = nodeName(n.key);
    subtree.set(name, (subtree.get(name) ?? 0) + n.indices.length);
    if (n.key.d > 0) {
      const parent = nodeName({ d: n.key.d - 1, x: n.key.x >> 1, y: n.key.y >> 1, z: n.key.z >> 1 });
      subtree.set(parent, (subtree.get(parent) ?? 0) + subtree.get(name)!);
    }
  }
  const extraSize = header.extraBytes?.size ?? 0;
  const nodes: OctreeNode[] = listed.map((n) => {
    const edge = size / 2 ** n.key.d;
    const min = [n.key.x, n.key.y, n.key.z].map((c, a) => cube.min[a]! + c * edge) as Vec3;
    return {
      key: n.key,
      cube: { min, max: min.map((m) => m + edge) as Vec3 },
      bounds: boundsOf(selectPoints(all, n.indices, 0)),
      pointCount: n.indices.length,
      subtreePointCount: subtree.get(nodeName(n.key))!,
      spacing: edge / grid,
      children: listed.filter((c) => c.key.d === n.key.d + 1 && c.key.x >> 1 === n.key.x && c.key.y >> 1 === n.key.y && c.key.z >> 1 === n.key.z).map((c) => c.key),
    };
  });
  const indicesOf = (key: NodeKey): number[] => byNode.get(nodeName(key))?.indices ?? [];
  return {
    header,
    pointCount: all.count,
    bounds,
    cube,
    nodes,
    indicesOf,
    readNode: (key) => Promise.resolve(selectPoints(all, indicesOf(key), extraSize)),
  };
}

export function boundsOf(c: PointChunk): Bounds {
  const min: Vec3 = [Infinity, Infinity, Infinity],
    max: Vec3 = [-Infinity, -Infinity, -Infinity];
  const cols = [c.x, c.y, c.z];
  for (let i = 0; i < c.count; i++) {
    for (let a = 0; a < 3; a++) {
      const v = cols[a]![i]!;
      if (v < min[a]!) min[a] = v;
      if (v > max[a]!) max[a] = v;
    }
  }
  return { min, max };
}
