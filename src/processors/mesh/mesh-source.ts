import { readFile } from "node:fs/promises";
import type { Document } from "@gltf-transform/core";
import { dequantize } from "@gltf-transform/functions";
import { AppError, toAppError } from "../../contracts/app-error.ts";
import type { StageContext, StageInput } from "../processor.ts";
import type { MissingResource } from "./companion-files.ts";
import { gltfIO } from "./gltf-io.ts";
import { vertexCap } from "./mesh-budget.ts";
import { bakeTextureTransforms } from "./mesh-quantize.ts";
import { resolveMeshInput } from "./mesh-input.ts";
import { loadMesh } from "./mesh-loader.ts";
import type { DroppedMap } from "./obj-material-maps.ts";
import type { MeshConvertParams } from "./mesh-params.ts";
import { cleanDocument } from "./mesh-pipeline.ts";
import { animationFeatures, assertMeshIntegrity, meshStats } from "./mesh-stats.ts";

/** What the first stage learns of the source; written into the GLB's top-level `extras.vs3d` so
 * later stages (and a resume on another node) read it back from the output itself. */
export interface SourceFacts {
  source_format: string;
  model_file: string;
  source_triangles: number;
  source_vertices: number;
  declared_vertices: number;
  /** Companions named by the model but not in the input, or present but undecodable. */
  missing_resources: MissingResource[];
  /** OBJ material maps glTF has no slot for. Absent in GLBs written before it existed. */
  dropped_maps?: DroppedMap[];
  /** Validator errors of the input that cleanup repaired (codes only). */
  input_issues: string[];
  features: ReturnType<typeof animationFeatures>;
}

type SourceParams = Pick<MeshConvertParams, "source_keys" | "source_prefix" | "model_path" | "max_vertices" | "up_axis" | "unit" | "texture_webp" | "max_texture_size">;

/** Resolves, budgets, loads, checks and cleans the source model: the document every output starts from. */
export async function loadCleanSource(input: StageInput<SourceParams>, ctx: StageContext, profileRamGb: number): Promise<{ doc: Document; facts: SourceFacts }> {
  const { params } = input;
  const model = await resolveMeshInput(input.filePath, input.workDir, params, ctx.signal);
  ctx.log("mesh input", { format: model.format, bytes: model.sizeBytes, companions: model.rootDir !== null });
  const loaded = await loadMesh(model, vertexCap(profileRamGb, params.max_vertices), { workDir: input.workDir, signal: ctx.signal });
  assertMeshIntegrity(loaded.doc);
  const features = animationFeatures(loaded.doc);
  const { unreadable } = await cleanDocument(loaded.doc, { upAxis: params.up_axis, unit: params.unit, maxTextureSize: params.max_texture_size, webp: params.texture_webp });
  const stats = meshStats(loaded.doc);
  const facts: SourceFacts = {
    source_format: model.format,
    model_file: model.modelPath.split(/[/\\]/).pop() ?? "",
    source_triangles: stats.triangles,
    source_vertices: stats.vertices,
    declared_vertices: loaded.declaredVertices,
    missing_resources: [...loaded.missing, ...unreadable],
    dropped_maps: loaded.droppedMaps,
    input_issues: [...new Set(loaded.inputIssues.map((i) => i.code))],
    features,
  };
  if (facts.missing_resources.length > 0) ctx.log("mesh companions missing", { missing: facts.missing_resources });
  if (loaded.droppedMaps.length > 0) ctx.log("material maps without a glTF slot", { dropped: loaded.droppedMaps });
  return { doc: loaded.doc, facts };
}

/** Fractions to 6 significant digits, empty lists left out: the facts ride in every level's JSON,
 * and on a small level their 17-digit errors are a measurable share of the file. */
const compact = (value: object): unknown =>
  JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(6)) : Array.isArray(v) && v.length === 0 ? undefined : v)));

export function setFacts<T extends object>(doc: Document, key: string, value: T): void {
  doc.getRoot().setExtras({ ...doc.getRoot().getExtras(), [key]: compact(value) });
}

export function getFacts<T>(doc: Document, key: string): T {
  const value = doc.getRoot().getExtras()[key];
  if (value === undefined) throw new AppError("INTERNAL", `the GLB carries no extras.${key}: it was not written by this processor`);
  return value as T;
}

/** The source facts as written, with the lists `setFacts` leaves out when empty back in. */
export function getSourceFacts(doc: Document): SourceFacts {
  const facts = getFacts<SourceFacts>(doc, "vs3d_source");
  return { ...facts, missing_resources: facts.missing_resources ?? [], input_issues: facts.input_issues ?? [], dropped_maps: facts.dropped_maps ?? [] };
}

/** Reads a GLB this processor wrote: decoded (meshopt, Draco) and dequantized to float attributes. */
export async function readOwnGlb(path: string): Promise<{ doc: Document; bytes: Uint8Array }> {
  try {
    const bytes = new Uint8Array(await readFile(path));
    const doc = await (await gltfIO()).readBinary(bytes);
    await doc.transform(dequantize());
    bakeTextureTransforms(doc);
    for (const ext of doc.getRoot().listExtensionsUsed()) {
      if (["EXT_meshopt_compression", "KHR_draco_mesh_compression", "KHR_mesh_quantization"].includes(ext.extensionName)) ext.dispose();
    }
    return { doc, bytes };
  } catch (error) {
    throw toAppError(error);
  }
}
