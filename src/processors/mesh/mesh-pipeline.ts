import type { Document } from "@gltf-transform/core";
import { EXTMeshoptCompression } from "@gltf-transform/extensions";
import { dedup, draco, meshopt, prune, quantize, reorder, weld } from "@gltf-transform/functions";
import { MeshoptEncoder } from "meshoptimizer";
import { AppError } from "../../contracts/app-error.ts";
import type { MissingResource } from "./companion-files.ts";
import { gltfIO } from "./gltf-io.ts";
import { assertValidOutput, type ValidationReport } from "./gltf-validate.ts";
import type { MeshConvertParams } from "./mesh-params.ts";
import { gridQuantizable, quantizeOnGrid } from "./mesh-quantize.ts";
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

/** Attributes left to glTF-Transform's quantizer once positions and TEXCOORD_0 are on the grid
 * (normals and tangents stay float: the meshopt encoder's octahedral filter takes them to 8 bits). */
const OTHER_QUANTIZED = /^(TEXCOORD_[1-9]\d*|COLOR_\d+)$/;

/**
 * meshopt compression as gltfpack does it where it can: vertices reordered for the codec, positions
 * and UVs on unpadded integer grids (`mesh-quantize.ts`), normals octahedral. Skinned, morphed and
 * instanced documents take glTF-Transform's `meshopt()` (its quantizer, whose padded low bits
 * compress ~5–15 % worse, keeps those valid).
 */
async function meshoptCompress(doc: Document): Promise<void> {
  if (!gridQuantizable(doc)) {
    await doc.transform(meshopt({ encoder: MeshoptEncoder, level: "high" }));
    return;
  }
  await doc.transform(reorder({ encoder: MeshoptEncoder, target: "size" }));
  quantizeOnGrid(doc);
  await doc.transform(quantize({ pattern: OTHER_QUANTIZED, patternTargets: OTHER_QUANTIZED }));
  doc.createExtension(EXTMeshoptCompression).setRequired(true).setEncoderOptions({ method: EXTMeshoptCompression.EncoderMethod.FILTER });
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
  if (options.compression === "meshopt") await meshoptCompress(doc);
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
