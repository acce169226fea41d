import { z } from "zod";

/** One file name segment or a relative path inside the input set; never climbs out of it. */
const RelativePath = z
  .string()
  .min(1)
  .max(500)
  .refine((p) => !p.startsWith("/") && !p.split(/[/\\]/).includes("..") && !p.includes("\0"), "must be a relative path inside the input");

/** Where the model comes from besides the single downloaded file (shared by both task types). */
const InputParams = {
  /** Read these keys (model + companions: MTL, textures, .bin) instead of source.key. */
  source_keys: z.array(z.string().min(1)).min(1).optional(),
  /** Read every object below this prefix (or the prefix the keys are relative to). */
  source_prefix: z.string().optional(),
  /** Which file of a ZIP or a key set is the model. Default: the one model file found (glb, gltf, fbx, dae, obj, ply, stl in that order). */
  model_path: RelativePath.optional(),
  /** Refuse models with more vertices than this (decided from the header). Default: derived from the RAM grant (see mesh-budget.ts). */
  max_vertices: z.number().int().positive().optional(),
};

export const UP_AXES = ["y", "z"] as const;
export const UNITS = ["m", "cm", "mm", "in", "ft"] as const;

const DocumentParams = {
  /** The source's up axis; "z" rotates the model so that +Z becomes glTF's +Y. Default: "y" (no change). */
  up_axis: z.enum(UP_AXES).default("y"),
  /** The source's length unit; scaled to metres (glTF's unit). Default: "m" (no change). */
  unit: z.enum(UNITS).default("m"),
  /** Re-encode every texture to WEBP (EXT_texture_webp). Default: false. */
  texture_webp: z.boolean().default(false),
  /** Longest texture edge in pixels; larger textures are downscaled. Default: none (kept). */
  max_texture_size: z.number().int().min(16).max(16384).optional(),
  /** Render a WEBP thumbnail. Default: true. */
  thumbnail: z.boolean().default(true),
  /** Thumbnail edge in pixels. Default: 512. */
  thumbnail_size: z.number().int().min(32).max(2048).default(512),
};

export const COMPRESSIONS = ["none", "meshopt", "draco"] as const;

/** mesh_3d_convert params. */
export const MeshConvertParams = z.object({
  ...InputParams,
  ...DocumentParams,
  /** Geometry compression. Default: "none". */
  compression: z.enum(COMPRESSIONS).default("none"),
  /** KHR_mesh_quantization (implied by meshopt). Default: false. */
  quantize: z.boolean().default(false),
  /** Also write `model.usdz` for iOS AR Quick Look. Default: false. */
  usdz: z.boolean().default(false),
});
export type MeshConvertParams = z.infer<typeof MeshConvertParams>;

const Label = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "lower-case letters, digits, _ and -, at most 32")
  .describe("Names the stage (lod_<label>) and the file (lod_<label>.glb)");

export const LodLevel = z
  .object({
    level: z.number().int().min(0).max(15),
    /** Share of the source's triangles to keep, (0, 1]. */
    ratio: z.number().gt(0).max(1).optional(),
    /** Most triangles to keep (alternative to ratio). */
    max_triangles: z.number().int().min(1).optional(),
    label: Label,
    /** Longest texture edge for this level. Default: the previous level's × sqrt(this level's triangle share of it), at least 64. */
    max_texture_size: z.number().int().min(16).max(16384).optional(),
  })
  .refine((l) => (l.ratio === undefined) !== (l.max_triangles === undefined), "give exactly one of ratio and max_triangles");
export type LodLevel = z.infer<typeof LodLevel>;

export const DEFAULT_LOD_LEVELS: LodLevel[] = [
  { level: 0, ratio: 1, label: "high" },
  { level: 1, ratio: 0.25, label: "medium" },
  { level: 2, ratio: 0.05, label: "low" },
];

/** mesh_3d_lod params. Each level is simplified from the previous one, so levels are ordered by `level`. */
export const MeshLodParams = z
  .object({
    ...InputParams,
    ...DocumentParams,
    /** Default: 100 % / 25 % / 5 % labelled high / medium / low. */
    lod_levels: z.array(LodLevel).min(1).max(16).default(DEFAULT_LOD_LEVELS),
    /** meshoptimizer's error bound, relative to the mesh extent; simplification stops there even above the target. Default: 0.05. */
    max_error: z.number().positive().max(1).default(0.05),
    /** Keep mesh borders (open edges) in place. Default: true. */
    lock_borders: z.boolean().default(true),
    /** Meshopt compression of every level (EXT_meshopt_compression + KHR_mesh_quantization). Default: true. */
    meshopt: z.boolean().default(true),
  })
  .refine((p) => new Set(p.lod_levels.map((l) => l.label)).size === p.lod_levels.length, "lod_levels labels must be unique")
  .refine((p) => new Set(p.lod_levels.map((l) => l.level)).size === p.lod_levels.length, "lod_levels levels must be unique");
export type MeshLodParams = z.infer<typeof MeshLodParams>;

/** What both processors read of their params to find and load the input. */
export type MeshInputParams = Pick<MeshConvertParams, "source_keys" | "source_prefix" | "model_path" | "max_vertices" | "up_axis" | "unit">;

/** The levels in order of `level` (simplification runs from each to the next). */
export function orderedLevels(p: MeshLodParams): LodLevel[] {
  return [...p.lod_levels].sort((a, b) => a.level - b.level);
}
