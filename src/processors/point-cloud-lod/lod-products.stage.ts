import { join } from "node:path";
import type { OutputFile, StageContext } from "../processor.ts";
import { writeCopc } from "./copc/write-copc.ts";
import { metresPerUnit } from "./georef/metres-per-unit.ts";
import { levelChunks } from "./levels/write-level.ts";
import { levelSpecs } from "./lod-level.stage.ts";
import { ensureOctree, type LodInput } from "./lod-octree.ts";
import { writePreviewGlb } from "./preview/write-preview-glb.ts";
import { renderThumbnail } from "./preview/render-thumbnail.ts";
import { writeTileset } from "./tiles/write-tileset.ts";

type Result = Promise<{ outputs: OutputFile[] }>;

/** Points drawn into the thumbnail: an even subset of the whole cloud. */
const THUMBNAIL_POINTS = 2_000_000;
/** Most points of the preview GLB (the lowest level, when smaller). */
const PREVIEW_POINTS = 1_000_000;

export async function runTilesStage(input: LodInput, ctx: StageContext): Result {
  const octree = await ensureOctree(input, ctx);
  const { tiles } = input.params;
  const result = await writeTileset(
    octree,
    input.outDir,
    {
      ...(tiles.geometric_error_scale !== undefined ? { geometricErrorScale: tiles.geometric_error_scale } : {}),
      srsIn: tiles.srs_in,
    },
    { signal: ctx.signal, progress: ctx.progress, log: ctx.log },
  );
  ctx.log(result.georeferenced ? "tileset georeferenced" : "tileset placed at the origin: the cloud has no usable CRS", { crs: result.crs, origin: result.origin, tiles: result.outputs.length - 1 });
  return { outputs: result.outputs };
}

export async function runCopcStage(input: LodInput, ctx: StageContext): Result {
  const octree = await ensureOctree(input, ctx);
  const path = "points.copc.laz";
  const { points, nodes } = await writeCopc(octree, join(input.outDir, path), { signal: ctx.signal, progress: ctx.progress });
  ctx.log("COPC written", { points, nodes });
  return { outputs: [{ path, type: "copc", format: "copc", contentType: "application/vnd.laszip+copc" }] };
}

/** The lowest level's count (what a quick look needs), at most PREVIEW_POINTS. */
function previewCount(input: LodInput, pointCount: number): number {
  return Math.min(PREVIEW_POINTS, ...levelSpecs(input.params).map((l) => l.count(pointCount)));
}

export async function runPreviewStage(input: LodInput, ctx: StageContext): Result {
  const octree = await ensureOctree(input, ctx);
  const count = previewCount(input, octree.pointCount);
  const path = "preview.glb";
  const { points } = await writePreviewGlb(levelChunks(octree, count, ctx.signal), octree.header, join(input.outDir, path), {
    metresPerUnit: metresPerUnit(octree.header, input.params.tiles.srs_in),
    signal: ctx.signal,
  });
  ctx.progress({ done: points, total: count, label: `Preview: ${points} points` });
  return { outputs: [{ path, type: "preview", format: "glb" }] };
}

export async function runThumbnailStage(input: LodInput, ctx: StageContext): Result {
  const octree = await ensureOctree(input, ctx);
  const count = Math.min(octree.pointCount, THUMBNAIL_POINTS);
  const path = "thumbnail.webp";
  const { points } = await renderThumbnail(levelChunks(octree, count, ctx.signal), octree.header, join(input.outDir, path), { signal: ctx.signal });
  ctx.progress({ done: points, total: count, label: `Thumbnail: ${points} points drawn` });
  return { outputs: [{ path, type: "thumbnail", format: "webp" }] };
}
