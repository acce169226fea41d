import type { Document } from "@gltf-transform/core";
import { dedup, draco, meshopt, prune, quantize, weld } from "@gltf-transform/functions";
import { MeshoptEncoder } from "meshoptimizer";
import { AppError } from "../../contracts/app-error.ts";
import type { MissingResource } from "./companion-files.ts";
import { gltfIO } from "./gltf-io.ts";
import { assertValidOutput, type ValidationReport } from "./gltf-validate.ts";
import type { MeshConvertParams } from "./mesh-params.ts";
import { meshStats } from "./mesh-stats.ts";
import { normaliseTextureImages, processTextures } from "./mesh-textures.ts";

const UNIT_METRES: Record<MeshConvertParams["unit"], number> = { m: 1, cm: 0.01, mm: 0.001, in: 0.0254, ft: 0.3048 };
/** −90° about X: the source's +Z becomes glTF's +Y (and +Y becomes −Z). */
const Z_UP_TO_Y_UP: [number, number, number, number] = [-Math.SQRT1_2, 0, 0, Math.SQRT1_2];

/** Puts every scene's content under one node that turns a Z-up model Y-up and scales it to metres. */
export function normaliseAxes(doc: Document, upAxis: "y" | "z", unit: MeshConvertParams["unit"]): void {
  const scale = UNIT_METRES[unit];
  if (upAxis === "y" && scale === 1) return;
  for (const scene of doc.getRoot().listScenes()) {
    const root = doc.createNode("vs3d_normalise");
    if (upAxis === "z") root.setRotation(Z_UP_TO_Y_UP);
    if (scale !== 1) root.setScale([scale, scale, scale]);
    for (const child of scene.listChildren()) root.addChild(child);
    scene.addChild(root);
  }
}

export interface CleanupOptions {
  upAxis: "y" | "z";
  unit: MeshConvertParams["unit"];
  maxTextureSize?: number | undefined;
  webp?: boolean | undefined;
}

/** The document every output starts from: Y-up metres, welded, deduplicated, pruned, textures a viewer decodes. */
export async function cleanDocument(doc: Document, options: CleanupOptions): Promise<{ unreadable: MissingResource[] }> {
  // The reader decoded Draco / meshopt; left registered, the writer would encode the input's way again.
  withoutCompression(doc);
  normaliseAxes(doc, options.upAxis, options.unit);
  await doc.transform(dedup(), weld(), prune({ keepAttributes: true, keepLeaves: false }));
  const unreadable = await normaliseTextureImages(doc);
  await processTextures(doc, { maxSize: options.maxTextureSize, webp: options.webp });
  await doc.transform(dedup(), prune({ keepAttributes: true }));
  return { unreadable };
}

export interface WriteOptions {
  compression: "none" | "meshopt" | "draco";
  quantize: boolean;
  /** Names the output in validator failures. */
  what: string;
}

export interface WrittenGlb {
  bytes: Uint8Array;
  /** The validator's report on the GLB before compression. */
  report: ValidationReport;
}

/** Drops the compression extensions so the decoded round-trip is written plain. */
function withoutCompression(doc: Document): Document {
  for (const ext of doc.getRoot().listExtensionsUsed()) {
    if (ext.extensionName === "EXT_meshopt_compression" || ext.extensionName === "KHR_draco_mesh_compression") ext.dispose();
  }
  return doc;
}

/**
 * Writes the GLB, validated by glTF-Validator twice: before compression, and after compression on
 * the decoded round-trip (read back through the meshopt/Draco decoders, written plain), whose
 * triangle count must equal the original's. Any validator error is INVALID_OUTPUT.
 */
export async function writeValidatedGlb(doc: Document, options: WriteOptions): Promise<WrittenGlb> {
  const io = await gltfIO();
  const plain = await io.writeBinary(doc);
  const report = await assertValidOutput(plain, `${options.what} (before compression)`);
  if (options.compression === "none" && !options.quantize) return { bytes: plain, report };
  const before = meshStats(doc).triangles;
  if (options.compression === "meshopt") await doc.transform(meshopt({ encoder: MeshoptEncoder, level: "high" }));
  else if (options.compression === "draco") await doc.transform(...(options.quantize ? [quantize()] : []), draco({ method: "edgebreaker" }));
  else await doc.transform(quantize());
  const bytes = await io.writeBinary(doc);
  const decoded = await io.readBinary(bytes);
  const after = meshStats(decoded).triangles;
  if (after !== before) throw new AppError("INVALID_OUTPUT", `${options.what}: the compressed GLB decodes to ${after} triangles, not ${before}`);
  await assertValidOutput(await io.writeBinary(withoutCompression(decoded)), `${options.what} (decoded round-trip)`);
  await assertValidOutput(bytes, options.what);
  return { bytes, report };
}
