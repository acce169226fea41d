import { z } from "zod";

export const OUTPUT_FORMATS = ["las", "laz", "ply", "xyz", "pts", "glb"] as const;

export const PointCloudConvertParams = z.object({
  output_format: z.enum(OUTPUT_FORMATS),
  /** LAS/LAZ only. Default: the source's version family, else 1.2. */
  las_version: z.enum(["1.2", "1.4"]).optional(),
  /** LAS/LAZ only: 0–3 (1.2 and 1.4) or 6–8 (1.4). Default: the source's, else the smallest keeping its attributes. */
  point_format: z.number().int().min(0).max(10).optional(),
  /** PLY only. Default: "binary" (little endian). */
  ply_encoding: z.enum(["binary", "ascii"]).optional(),
  /** Points per chunk held in memory. Default: 100 000. */
  chunk_size: z.number().int().min(1000).max(2_000_000).optional(),
});
export type PointCloudConvertParams = z.infer<typeof PointCloudConvertParams>;
