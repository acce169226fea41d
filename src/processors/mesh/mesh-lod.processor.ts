import { join } from "node:path";
import { toAppError } from "../../contracts/app-error.ts";
import { defineProcessor, type Stage } from "../processor.ts";
import { levelFile, lodLevelStage, stageName, TARGET_REACHED_SHARE, type LevelFacts } from "./lod-level.stage.ts";
import { MESH_PROFILES } from "./mesh-budget.ts";
import { meshInputObjects } from "./mesh-input.ts";
import { describeGlb, MANIFEST_VERSION, writeManifest } from "./mesh-manifest.ts";
import { MeshLodParams, orderedLevels } from "./mesh-params.ts";
import { THUMBNAIL_FILE, thumbnailStage } from "./thumbnail.stage.ts";

export { MeshLodParams } from "./mesh-params.ts";

const manifestStage: Stage<MeshLodParams> = {
  name: "manifest",
  label: "Writing manifest",
  weight: 0.3,
  async run(input) {
    try {
      const levels = [];
      let source = null;
      for (const level of orderedLevels(input.params)) {
        const { facts, extras, source: s } = await describeGlb(join(input.outDir, levelFile(level)));
        source ??= s;
        const lod = extras.vs3d_lod as LevelFacts;
        const reached = facts.triangles <= lod.target_triangles && facts.triangles >= TARGET_REACHED_SHARE * lod.target_triangles;
        levels.push({
          level: level.level,
          label: level.label,
          file: facts.file,
          triangles: facts.triangles,
          vertices: facts.vertices,
          target_triangles: lod.target_triangles,
          achieved_ratio: s.source_triangles > 0 ? facts.triangles / s.source_triangles : 1,
          target_reached: reached,
          error: { relative: lod.error_relative, absolute: lod.error_absolute, step_relative: lod.step_error_relative },
          bytes: facts.bytes,
          sha256: facts.sha256,
          bbox: facts.bbox,
          texture_max_size: lod.texture_max_size,
          extensions: facts.extensions,
          simplify_seconds: lod.simplify_seconds,
          simplify_cpu_seconds: lod.simplify_cpu_seconds,
        });
      }
      const manifest = {
        version: MANIFEST_VERSION,
        task_type: "mesh_3d_lod",
        source: { key: input.source.key, ...source },
        levels,
        thumbnail: input.previous.thumbnail ? THUMBNAIL_FILE : null,
        validator_errors: 0,
      };
      return { outputs: [await writeManifest(input.outDir, manifest)] };
    } catch (error) {
      throw toAppError(error, "manifest");
    }
  },
};

/**
 * mesh_3d_lod: GLB levels of one model (default 100 % / 25 % / 5 % of its triangles), each its own
 * stage `lod_<label>` simplified from the previous level with meshoptimizer, textures downscaled
 * per level, meshopt-compressed and validated; then a thumbnail and `manifest.json`.
 */
export const meshLodProcessor = defineProcessor({
  taskType: "mesh_3d_lod",
  params: MeshLodParams,
  profile: MESH_PROFILES.mesh_3d_lod,
  stages: (p) => {
    const levels = orderedLevels(p);
    return [...levels.map((l) => lodLevelStage(l, p)), ...(p.thumbnail ? [thumbnailStage<MeshLodParams>(stageName(levels[0]!))] : []), manifestStage];
  },
  inputObjects: meshInputObjects,
});
