import { AppError, toAppError } from "../../contracts/app-error.ts";
import { defineProcessor, type OutputFile, type Stage, type StageContext } from "../processor.ts";
import { resolveCrs } from "./georef/resolve-crs.ts";
import { levelFormats, levelSpecs, runLevelStage } from "./lod-level.stage.ts";
import { buildLodOctree, openLodSource, type LodInput } from "./lod-octree.ts";
import { runCopcStage, runPreviewStage, runThumbnailStage, runTilesStage } from "./lod-products.stage.ts";
import { PointCloudLodParams } from "./point-cloud-lod.params.ts";

export { PointCloudLodParams } from "./point-cloud-lod.params.ts";

type StageRun = (input: LodInput, ctx: StageContext) => Promise<{ outputs: OutputFile[] }>;

/** Every stage's failure carries its stage; an abort is CANCELLED, not whatever the abort broke. */
const guarded =
  (name: string, run: StageRun): StageRun =>
  async (input, ctx) => {
    try {
      return await run(input, ctx);
    } catch (error) {
      if (ctx.signal.aborted) throw new AppError("CANCELLED", "Point cloud LOD was cancelled", { stage: name, cause: error });
      if ((error as { code?: unknown }).code === "ENOSPC")
        throw new AppError("INSUFFICIENT_DISK", "The work directory ran out of disk (the octree needs about 2.5 × the uncompressed input)", { stage: name, cause: error });
      throw toAppError(error, name);
    }
  };

async function readHeader(input: LodInput, ctx: StageContext): Promise<{ outputs: OutputFile[] }> {
  const source = await openLodSource(input);
  await source.close();
  const h = source.header;
  if (h.pointCount === 0) throw new AppError("INPUT_EMPTY", "The point cloud's header says it holds 0 points");
  // A bad srs_in fails now (INVALID_PARAMS), not after hours of indexing and levels.
  if (input.params.output_formats.includes("3dtiles")) {
    const crs = await resolveCrs(h, input.params.tiles.srs_in, ctx.signal);
    if (!crs.crs) ctx.log("no usable CRS: the tileset will be placed at the origin", { warning: crs.warning });
  }
  ctx.log("point cloud header", { format: h.sourceFormat, points: h.pointCount, epsg: h.crs.epsg, wkt: h.crs.wkt !== undefined, bounds: h.bounds });
  return { outputs: [] };
}

async function index(input: LodInput, ctx: StageContext): Promise<{ outputs: OutputFile[] }> {
  const tree = await buildLodOctree(input, ctx);
  ctx.log("octree built", { points: tree.pointCount, nodes: tree.nodes.length, depth: Math.max(...tree.nodes.map((n) => n.key.d)) });
  return { outputs: [] };
}

const stage = (name: string, label: string, weight: number, run: StageRun): Stage<PointCloudLodParams> => ({ name, label, weight, run: guarded(name, run) });

/** point_cloud_lod: an out-of-core octree in the work directory, then one checkpointed stage per
 * product — each LOD level, the 3D Tiles tileset, COPC, preview, thumbnail — each reading the
 * octree (rebuilt when a resume finds it missing). */
export const pointCloudLodProcessor = defineProcessor({
  taskType: "point_cloud_lod",
  params: PointCloudLodParams,
  // Out of core: memory is bounded by chunk size × threads, not by the input (bench: < 2 GiB at 50 M).
  profile: { cpu_percent: 75, ram_gb: 4, max_concurrent: 1 },
  stages: (params) => {
    const stages = [stage("read_header", "Reading point cloud header", 0.02, readHeader), stage("index", "Indexing points", 1, index)];
    if (levelFormats(params).length > 0) {
      for (const spec of levelSpecs(params)) stages.push(stage(`lod_${spec.label}`, `LOD level ${spec.label}`, 0.5, (input, ctx) => runLevelStage(spec, input, ctx)));
    }
    if (params.output_formats.includes("3dtiles")) stages.push(stage("tiles", "Writing the 3D Tiles tileset", 0.8, runTilesStage));
    if (params.output_formats.includes("copc")) stages.push(stage("copc", "Writing COPC", 0.6, runCopcStage));
    if (params.generate_thumbnails) {
      stages.push(stage("preview", "Writing the preview GLB", 0.05, runPreviewStage));
      stages.push(stage("thumbnail", "Rendering the thumbnail", 0.05, runThumbnailStage));
    }
    return stages;
  },
});
