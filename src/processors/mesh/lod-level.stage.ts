import { writeFile } from "node:fs/promises";
import type { Document } from "@gltf-transform/core";
import { prune } from "@gltf-transform/functions";
import { join } from "node:path";
import { toAppError } from "../../contracts/app-error.ts";
import type { Stage } from "../processor.ts";
import { MESH_PROFILES } from "./mesh-budget.ts";
import { orderedLevels, type LodLevel, type MeshLodParams } from "./mesh-params.ts";
import { mergeByMaterial } from "./mesh-merge.ts";
import { writeValidatedGlb } from "./mesh-pipeline.ts";
import { errorExtent, simplifyDocument } from "./mesh-simplify.ts";
import { getFacts, getSourceFacts, loadCleanSource, readOwnGlb, setFacts } from "./mesh-source.ts";
import { meshStats } from "./mesh-stats.ts";
import { sourceWarnings } from "./mesh-warnings.ts";
import { largestTextureEdge, processTextures } from "./mesh-textures.ts";
import { previousGlb } from "./thumbnail.stage.ts";

/** Share of the target a level must reach to count as reached (the rest of the way the error bound stopped it). */
export const TARGET_REACHED_SHARE = 0.95;
/** Smallest texture edge a level's default downscale goes to. */
export const MIN_LEVEL_TEXTURE = 64;

/** What each level records about itself in `extras.vs3d_lod` (read back by the manifest stage). */
export interface LevelFacts {
  level: number;
  label: string;
  target_triangles: number;
  /** Triangles this level was simplified from (the previous level's, or the source's). */
  input_triangles: number;
  /** meshoptimizer's error of this step and the sum over the chain from the source (an upper bound). */
  step_error_relative: number;
  error_relative: number;
  error_absolute: number;
  simplify_seconds: number;
  simplify_cpu_seconds: number;
  texture_max_size: number;
  /** World length `max_error` is a share of, fixed at the source (`errorExtent`); absent in GLBs
   * written before it existed (then each primitive's own extent). */
  error_extent?: number;
}

/** prune() keeps the UVs and tangents of primitives without a material (nothing samples them there). */
function dropUnreadUvs(doc: Document): void {
  for (const p of doc
    .getRoot()
    .listMeshes()
    .flatMap((m) => m.listPrimitives())) {
    if (p.getMaterial()) continue;
    for (const semantic of p.listSemantics()) if (semantic.startsWith("TEXCOORD_") || semantic === "TANGENT") p.setAttribute(semantic, null);
  }
}

export const stageName = (l: LodLevel) => `lod_${l.label}`;
export const levelFile = (l: LodLevel) => `lod_${l.label}.glb`;

export function targetTriangles(l: LodLevel, sourceTriangles: number): number {
  return Math.max(1, Math.min(sourceTriangles, l.max_triangles ?? Math.floor(sourceTriangles * l.ratio!)));
}

/**
 * One LOD level, its own checkpointed stage: the first level starts from the cleaned source, each
 * later one from the previous level's GLB (so a resume redoes none). Simplified towards its target,
 * textures downscaled, meshopt-compressed, validated before compression and on the decoded round-trip.
 */
export function lodLevelStage(level: LodLevel, params: MeshLodParams): Stage<MeshLodParams> {
  const levels = orderedLevels(params);
  const index = levels.findIndex((l) => l.label === level.label);
  const previous = index > 0 ? levels[index - 1]! : null;
  return {
    name: stageName(level),
    label: `Level ${level.level} (${level.label})`,
    weight: index === 0 ? 3 : 2,
    async run(input, ctx) {
      try {
        const from = previous ? await readOwnGlb(previousGlb(input, stageName(previous))) : null;
        const { doc, facts } = from ? { doc: from.doc, facts: getSourceFacts(from.doc) } : await loadCleanSource(input, ctx, MESH_PROFILES.mesh_3d_lod.ram_gb);
        const before: LevelFacts | null = from ? getFacts<LevelFacts>(from.doc, "vs3d_lod") : null;
        // Levels are for viewing: attributes no material reads (UVs without a texture) go, as gltfpack drops them.
        if (!from) await doc.transform(prune({ keepAttributes: false }));
        if (!from) dropUnreadUvs(doc);
        // Measured before the merge: a merged primitive's extent spans the scene.
        const extent = before ? before.error_extent : errorExtent(doc);
        // One primitive per material where the scene allows: fewer draw calls, one grid per mesh, and
        // the simplifier sees whole surfaces instead of pieces with borders.
        if (!from) await mergeByMaterial(doc);
        ctx.signal.throwIfAborted();
        const target = targetTriangles(level, facts.source_triangles);
        ctx.progress({ done: 0, total: 3, label: `simplifying towards ${target} triangles` });
        const simplified = await simplifyDocument(doc, target, { maxError: params.max_error, lockBorders: params.lock_borders, errorExtent: extent });
        ctx.progress({ done: 1, total: 3, label: `${simplified.triangles} triangles` });
        ctx.signal.throwIfAborted();
        const edge = largestTextureEdge(doc);
        const share = simplified.inputTriangles > 0 ? simplified.triangles / simplified.inputTriangles : 1;
        const maxTexture = level.max_texture_size ?? (before ? Math.max(MIN_LEVEL_TEXTURE, Math.round(edge * Math.sqrt(share))) : (params.max_texture_size ?? edge));
        if (edge > maxTexture) await processTextures(doc, { maxSize: maxTexture });
        const stepError = simplified.errorRelative;
        const levelFacts: LevelFacts = {
          level: level.level,
          label: level.label,
          target_triangles: target,
          input_triangles: simplified.inputTriangles,
          step_error_relative: stepError,
          error_relative: (before?.error_relative ?? 0) + stepError,
          error_absolute: (before?.error_absolute ?? 0) + simplified.errorAbsolute,
          simplify_seconds: simplified.seconds,
          simplify_cpu_seconds: simplified.cpuSeconds,
          texture_max_size: Math.min(edge, maxTexture),
          ...(extent !== undefined ? { error_extent: extent } : {}),
        };
        setFacts(doc, "vs3d_source", facts);
        setFacts(doc, "vs3d_lod", levelFacts);
        const { bytes } = await writeValidatedGlb(doc, { compression: params.meshopt ? "meshopt" : "none", quantize: false, what: levelFile(level) });
        await writeFile(join(input.outDir, levelFile(level)), bytes);
        ctx.log("lod level written", { level: level.label, triangles: meshStats(doc).triangles, target, bytes: bytes.length, simplify_seconds: simplified.seconds });
        ctx.progress({ done: 3, total: 3 });
        // The level that read the source reports what the source lacked; later levels inherit it silently.
        const warnings = from ? [] : sourceWarnings(facts);
        return { outputs: [{ path: levelFile(level), type: "lod", format: "glb", contentType: "model/gltf-binary", ...(warnings.length ? { warnings } : {}) }] };
      } catch (error) {
        throw ctx.signal.aborted ? error : toAppError(error, stageName(level));
      }
    },
  };
}
