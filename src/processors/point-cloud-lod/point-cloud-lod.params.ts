import { z } from "zod";

export const LOD_OUTPUT_FORMATS = ["laz", "las", "copc", "3dtiles", "glb", "ply"] as const;
/** The formats written per level (the others are whole-cloud products). */
export const LEVEL_FORMATS = ["laz", "las", "glb", "ply"] as const;
export type LevelFormat = (typeof LEVEL_FORMATS)[number];

export const LodLevel = z.object({
  level: z.number().int().min(0).max(99),
  /** Points in this level; clamped to the input's count. */
  max_points: z.number().int().min(1),
  /** Names the stage (`lod_<label>`), the output type and its file (`lod_<label>.<format>`). */
  label: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/i, "letters, digits, _ and - only")
    .max(40),
});
export type LodLevel = z.infer<typeof LodLevel>;

/** The default levels, as shares of the input's count: high = all, medium = 10 %, low = 1 %. */
export const DEFAULT_LOD_LEVELS = [
  { level: 0, share: 1, label: "high" },
  { level: 1, share: 0.1, label: "medium" },
  { level: 2, share: 0.01, label: "low" },
] as const;

export const PointCloudLodParams = z.object({
  /** Default: high/medium/low = all / 10 % / 1 % of the input. */
  lod_levels: z
    .array(LodLevel)
    .min(1)
    .max(10)
    .refine((levels) => new Set(levels.map((l) => l.label.toLowerCase())).size === levels.length, "level labels must be unique")
    .optional(),
  /** Default: ["laz", "3dtiles"]. */
  output_formats: z
    .array(z.enum(LOD_OUTPUT_FORMATS))
    .min(1)
    .default(["laz", "3dtiles"])
    .transform((f) => [...new Set(f)]),
  /** A thumbnail (WEBP) and a preview GLB of the lowest level. Default: true. */
  generate_thumbnails: z.boolean().default(true),
  tiles: z
    .object({
      /** Most points a leaf node (and so a tile) holds before it is split. Default: 20 000. */
      points_per_tile: z.number().int().min(1000).max(1_000_000).optional(),
      /** Multiplies every tile's geometric error. Default: 1. */
      geometric_error_scale: z.number().positive().max(1000).optional(),
      /** The source's CRS (EPSG:xxxx, WKT or proj4) when the file has none or has a wrong one. */
      srs_in: z.string().min(1).max(20_000).optional(),
    })
    .default({}),
});
export type PointCloudLodParams = z.infer<typeof PointCloudLodParams>;
