import { availableParallelism } from "node:os";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../../../contracts/app-error.ts";
import type { Bounds, PointCloudSource } from "../../point-cloud/point-chunk.ts";
import { binIntoChunks, chunkFile } from "./chunk-files.ts";
import { GRID, nodeCube } from "./grid-sample.ts";
import type { IndexJob, IndexedNodeMeta } from "./index-worker.ts";
import { mergeUpperLevels } from "./merge-upper.ts";
import { nodeName, type NodeKey, type Octree, type OctreeNode } from "./octree.ts";
import { loadOctree, openOctree, writeManifest, type OctreeManifest } from "./octree-store.ts";
import { encodeBlock, layoutOf, type ColumnLayout } from "./point-columns.ts";
import { runIndexJobs } from "./worker-pool.ts";
import { withDefaults } from "../../../shared/with-defaults.ts";

export interface BuildOctreeOptions {
  /** A node with at most this many points is a leaf. Default: 20 000. */
  maxLeafPoints?: number;
  /** Points per chunk indexed on its own (memory per worker ≈ 150 bytes × this). Default: 1 000 000. */
  maxChunkPoints?: number;
  /** Deepest node; its points are kept whatever their number. Default: 20. */
  maxDepth?: number;
  /** Worker threads indexing chunks. Default: the machine's cores, at most 4. */
  threads?: number;
  signal: AbortSignal;
  progress: (done: number, total: number, label: string) => void;
  /** Told the chunks once binning is done (for logs and tests). */
  onChunks?: (chunks: readonly { key: NodeKey; points: number }[]) => void;
}

export const BUILD_OCTREE_DEFAULTS = { maxLeafPoints: 20_000, maxChunkPoints: 1_000_000, maxDepth: 20 };

const millions = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1).replace(/\.0$/, "")} M` : n >= 1e4 ? `${Math.round(n / 1e3)} k` : String(n));

/** Morton (z-order) comparison of cells at the same depth: the axis whose coordinates differ in the
 * highest bit decides (z above y above x). */
function zOrder(a: NodeKey, b: NodeKey): number {
  const dx = a.x ^ b.x,
    dy = a.y ^ b.y,
    dz = a.z ^ b.z;
  const top = Math.max(dx, dy, dz);
  if (top === 0) return 0;
  const hi = 31 - Math.clz32(top);
  if (dz >> hi) return a.z - b.z;
  if (dy >> hi) return a.y - b.y;
  return a.x - b.x;
}
export const breadthFirst = (a: NodeKey, b: NodeKey): number => a.d - b.d || zOrder(a, b);

/** The out-of-core octree: (1) stream the source once into a staging file while checking every
 * coordinate and measuring the real bounds, (2) count points on a 128³ grid, (3) bin them into
 * chunk files of at most `maxChunkPoints`, (4) index each chunk on a worker thread, (5) merge the
 * levels above the chunks. Memory holds one block, the counting grid, and one chunk per thread. */
export async function buildOctree(openSource: () => Promise<PointCloudSource>, dir: string, o: BuildOctreeOptions): Promise<Octree> {
  const opts = withDefaults(BUILD_OCTREE_DEFAULTS, o);
  const threads = o.threads ?? Math.max(1, Math.min(4, availableParallelism()));
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, "nodes"), { recursive: true });
  await mkdir(join(dir, "chunks"), { recursive: true });
  const staging = join(dir, "staging.bin");
  const { signal } = o;

  // (1) read, check, stage.
  const source = await openSource();
  const header = source.header;
  const quantize = header.las && header.scale && header.offset ? { scale: header.scale, offset: header.offset } : null;
  let layout: ColumnLayout | undefined;
  let count = 0;
  const min: [number, number, number] = [Infinity, Infinity, Infinity],
    max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  let expected = header.pointCount;
  const report = (phase: number, done: number, label: string) => {
    const total = expected ?? Math.max(count, 1);
    const weights = [0.35, 0.1, 0.1, 0.45];
    const before = weights.slice(0, phase).reduce((a, b) => a + b, 0);
    o.progress(Math.min(total, Math.round(total * (before + weights[phase]! * Math.min(1, done / total)))), total, label);
  };
  const fh = await open(staging, "w");
  try {
    for await (const chunk of source.points(signal)) {
      for (const [a, v] of [chunk.x, chunk.y, chunk.z].entries()) {
        let lo = min[a]!,
          hi = max[a]!;
        for (let i = 0; i < chunk.count; i++) {
          const c = v[i]!;
          // c - c is 0 for every finite number and NaN for NaN and ±Infinity.
          if (c < lo) lo = c;
          if (c > hi) hi = c;
          if (!(c - c === 0)) throw new AppError("INPUT_CORRUPT", `Point ${count + i + 1} has a coordinate that is not a finite number (${c})`);
        }
        min[a] = lo;
        max[a] = hi;
      }
      layout ??= layoutOf(chunk, quantize, header.extraBytes?.size ?? 0);
      await fh.write(encodeBlock(chunk, layout));
      count += chunk.count;
      report(0, count, `Reading ${millions(count)}${expected === undefined ? "" : ` of ${millions(expected)}`} points`);
    }
  } finally {
    await fh.close();
    await source.close().catch(() => undefined);
  }
  if (count === 0 || !layout) throw new AppError("INPUT_EMPTY", "The point cloud holds no points");
  if (header.pointCount !== undefined && header.pointCount !== count) {
    throw new AppError("INPUT_CORRUPT", `The header says ${header.pointCount} points but the file holds ${count}`);
  }
  expected = count;
  const bounds: Bounds = { min, max };
  const edge = Math.max(max[0] - min[0], max[1] - min[1], max[2] - min[2]);
  // A cloud of one point (or of identical points) still gets a cube of non-zero size.
  const size = edge > 0 ? edge : Math.max(1, Math.abs(min[0]), Math.abs(min[1]), Math.abs(min[2])) * 1e-6;
  const cube: Bounds = { min: [...min], max: [min[0] + size, min[1] + size, min[2] + size] };
  // (2) count and (3) bin into chunk files.
  const chunks = await binIntoChunks(
    staging,
    { d: 0, x: 0, y: 0, z: 0 },
    {
      dir,
      layout,
      root: cube,
      maxChunkPoints: opts.maxChunkPoints,
      maxDepth: opts.maxDepth,
      signal,
      progress: (phase, seen) =>
        phase === "count" ? report(1, seen, `Counting ${millions(seen)} of ${millions(count)} points`) : report(2, seen, `Binning ${millions(seen)} of ${millions(count)} points`),
    },
  );
  await rm(staging, { force: true });
  o.onChunks?.(chunks);

  // (4) index each chunk on a worker thread, the largest first.
  const jobs: IndexJob[] = chunks
    .map((c) => ({ chunkPath: chunkFile(dir, c.key), key: c.key, root: cube, layout: layout, dir, options: { maxLeafPoints: opts.maxLeafPoints, maxDepth: opts.maxDepth }, points: c.points }))
    .sort((a, b) => b.points - a.points || breadthFirst(a.key, b.key))
    .map(({ points: _points, ...job }) => job);
  const pointsOf = new Map(chunks.map((c) => [nodeName(c.key), c.points]));
  let indexed = 0;
  const results = await runIndexJobs(jobs, threads, signal, (job) => {
    indexed += pointsOf.get(nodeName(job.key)) ?? 0;
    report(3, indexed, `Indexing ${millions(indexed)} of ${millions(count)} points`);
  });
  const metas = new Map<string, IndexedNodeMeta>();
  for (const list of results) for (const m of list) metas.set(nodeName(m.key), m);

  // (5) the levels above the chunks.
  await mergeUpperLevels(
    dir,
    layout,
    cube,
    chunks.map((c) => c.key),
    metas,
    signal,
  );
  await rm(join(dir, "chunks"), { recursive: true, force: true });

  const manifest: OctreeManifest = { version: 1, header, pointCount: count, bounds, cube, layout, nodes: listNodes(metas, cube) };
  await writeManifest(dir, manifest);
  return openOctree(dir, manifest);
}

/** Node metadata breadth-first, with children lists and subtree counts. */
function listNodes(metas: Map<string, IndexedNodeMeta>, root: Bounds): OctreeNode[] {
  const keys = [...metas.values()].map((m) => m.key).sort(breadthFirst);
  const subtree = new Map<string, number>();
  const children = new Map<string, NodeKey[]>();
  for (const k of [...keys].reverse()) {
    const name = nodeName(k);
    subtree.set(name, (subtree.get(name) ?? 0) + metas.get(name)!.pointCount);
    if (k.d > 0) {
      const parent = nodeName({ d: k.d - 1, x: k.x >> 1, y: k.y >> 1, z: k.z >> 1 });
      subtree.set(parent, (subtree.get(parent) ?? 0) + subtree.get(name)!);
      const list = children.get(parent) ?? [];
      list.unshift(k);
      children.set(parent, list);
    }
  }
  return keys.map((key) => {
    const name = nodeName(key),
      m = metas.get(name)!;
    const cube = nodeCube(root, key);
    return { key, cube, bounds: m.bounds, pointCount: m.pointCount, subtreePointCount: subtree.get(name)!, spacing: (cube.max[0] - cube.min[0]) / GRID, children: children.get(name) ?? [] };
  });
}

/** Builds into `<dir>.partial` and renames it into place, so a half-built octree (a kill mid-build)
 * is never taken for a finished one. */
export async function buildOctreeAtomically(openSource: () => Promise<PointCloudSource>, dir: string, o: BuildOctreeOptions): Promise<Octree> {
  const partial = `${dir}.partial`;
  await buildOctree(openSource, partial, o);
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  const tree = await loadOctree(dir);
  if (!tree) throw new AppError("INTERNAL", "The octree just built cannot be read back");
  return tree;
}
