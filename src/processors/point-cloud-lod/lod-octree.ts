import { join } from "node:path";
import { detectInputFormat, openPointCloud } from "../point-cloud/point-cloud-source.ts";
import type { StageContext, StageInput } from "../processor.ts";
import { buildOctreeAtomically, BUILD_OCTREE_DEFAULTS } from "./octree/build-octree.ts";
import type { Octree } from "./octree/octree.ts";
import { loadOctree } from "./octree/octree-store.ts";
import type { PointCloudLodParams } from "./point-cloud-lod.params.ts";

export type LodInput = StageInput<PointCloudLodParams>;

export const octreeDir = (input: LodInput): string => join(input.workDir, "octree");
export const sourceHints = (input: LodInput): (string | undefined)[] => [input.source.format, input.source.key];

/** Opens the task's source with the shared readers (LAS/LAZ/COPC/E57/PLY/XYZ/PTS/OBJ). */
export async function openLodSource(input: LodInput) {
  return openPointCloud(input.filePath, await detectInputFormat(input.filePath, sourceHints(input)));
}

/** Builds the octree into the work directory, replacing any earlier one. */
export async function buildLodOctree(input: LodInput, ctx: StageContext): Promise<Octree> {
  return buildOctreeAtomically(() => openLodSource(input), octreeDir(input), {
    maxLeafPoints: input.params.tiles.points_per_tile ?? BUILD_OCTREE_DEFAULTS.maxLeafPoints,
    signal: ctx.signal,
    progress: (done, total, label) => ctx.progress({ done, total, label }),
    onChunks: (chunks) => ctx.log("points binned into chunks", { chunks: chunks.length, largest: Math.max(...chunks.map((c) => c.points)) }),
  });
}

/** The octree the `index` stage built. The work directory survives a restart on the same node
 * (it is removed only when the task settles), but not a resume on another node: then it is built
 * again — deterministically, so the products match those of the first node. */
export async function ensureOctree(input: LodInput, ctx: StageContext): Promise<Octree> {
  const found = await loadOctree(octreeDir(input));
  if (found) return found;
  ctx.log("octree missing from the work directory: rebuilding it");
  return buildLodOctree(input, ctx);
}
