import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { toAppError } from "../../contracts/app-error.ts";
import { defineProcessor, type Stage } from "../processor.ts";
import { MESH_PROFILES } from "./mesh-budget.ts";
import { meshInputObjects } from "./mesh-input.ts";
import { describeGlb, MANIFEST_VERSION, writeManifest } from "./mesh-manifest.ts";
import { MeshConvertParams } from "./mesh-params.ts";
import { writeValidatedGlb } from "./mesh-pipeline.ts";
import { loadCleanSource, readOwnGlb, setFacts } from "./mesh-source.ts";
import { sourceWarnings } from "./mesh-warnings.ts";
import { previousGlb, THUMBNAIL_FILE, thumbnailStage } from "./thumbnail.stage.ts";
import { writeUsdz } from "./usdz-writer.ts";

export { MeshConvertParams } from "./mesh-params.ts";

export const MODEL_FILE = "model.glb";
export const USDZ_FILE = "model.usdz";
const PROFILE = MESH_PROFILES.mesh_3d_convert;

const convertStage: Stage<MeshConvertParams> = {
  name: "convert",
  label: "Converting model to GLB",
  weight: 4,
  async run(input, ctx) {
    try {
      const { params } = input;
      const { doc, facts } = await loadCleanSource(input, ctx, PROFILE.ram_gb);
      ctx.progress({ done: 1, total: 2, label: `${facts.source_triangles} triangles read` });
      ctx.signal.throwIfAborted();
      setFacts(doc, "vs3d_source", facts);
      const { bytes } = await writeValidatedGlb(doc, { compression: params.compression, quantize: params.quantize, what: MODEL_FILE });
      await writeFile(join(input.outDir, MODEL_FILE), bytes);
      ctx.progress({ done: 2, total: 2 });
      const warnings = sourceWarnings(facts);
      return { outputs: [{ path: MODEL_FILE, type: "mesh", format: "glb", contentType: "model/gltf-binary", ...(warnings.length ? { warnings } : {}) }] };
    } catch (error) {
      throw ctx.signal.aborted ? error : toAppError(error, "convert");
    }
  },
};

const usdzStage: Stage<MeshConvertParams> = {
  name: "usdz",
  label: "Writing USDZ",
  weight: 1,
  async run(input) {
    try {
      const { doc } = await readOwnGlb(previousGlb(input, "convert"));
      await writeFile(join(input.outDir, USDZ_FILE), await writeUsdz(doc));
      return { outputs: [{ path: USDZ_FILE, type: "usdz", format: "usdz", contentType: "model/vnd.usdz+zip" }] };
    } catch (error) {
      throw toAppError(error, "usdz");
    }
  },
};

const manifestStage: Stage<MeshConvertParams> = {
  name: "manifest",
  label: "Writing manifest",
  weight: 0.2,
  async run(input) {
    try {
      const { facts, source } = await describeGlb(previousGlb(input, "convert"));
      const manifest = {
        version: MANIFEST_VERSION,
        task_type: "mesh_3d_convert",
        source: { key: input.source.key, ...source },
        model: { ...facts, compression: input.params.compression, quantized: input.params.quantize || input.params.compression === "meshopt", validator_errors: 0 },
        usdz: input.previous.usdz ? USDZ_FILE : null,
        thumbnail: input.previous.thumbnail ? THUMBNAIL_FILE : null,
      };
      return { outputs: [await writeManifest(input.outDir, manifest)] };
    } catch (error) {
      throw toAppError(error, "manifest");
    }
  },
};

/**
 * mesh_3d_convert: OBJ (+MTL, textures), glTF (+bin, images), GLB (Draco, meshopt), PLY, STL,
 * FBX and DAE — one file, a ZIP, or a set of keys — to one validated GLB with textures embedded,
 * optionally compressed, plus an optional USDZ, a thumbnail and a manifest.
 */
export const meshConvertProcessor = defineProcessor({
  taskType: "mesh_3d_convert",
  params: MeshConvertParams,
  profile: PROFILE,
  stages: (p) => [convertStage, ...(p.usdz ? [usdzStage] : []), ...(p.thumbnail ? [thumbnailStage<MeshConvertParams>("convert")] : []), manifestStage],
  inputObjects: meshInputObjects,
});
