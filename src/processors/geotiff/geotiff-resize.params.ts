import { z } from "zod";
import { Resampling } from "./geotiff-params.ts";

const Side = z.number().int().min(1).max(1_000_000);

/** Params of `geotiff_resize`: exactly one way to say the new size. */
export const GeotiffResizeParams = z
  .object({
    /** Target width in pixels; alone, the height follows the aspect ratio. */
    width: Side.optional(),
    /** Target height in pixels; alone, the width follows the aspect ratio. */
    height: Side.optional(),
    /** Factor on both sides, e.g. 0.5 halves them. */
    scale: z.number().positive().max(64).optional(),
    /** Target pixel size in the raster's CRS units (metres, degrees, …). */
    resolution: z.number().positive().optional(),
    /** Default: nearest for paletted rasters, average otherwise. */
    resampling: Resampling.optional(),
    /** "cog" is validated as a Cloud Optimized GeoTIFF; "gtiff" is a plain tiled GeoTIFF. Default: "cog". */
    output: z.enum(["cog", "gtiff"]).default("cog"),
  })
  .strict()
  .refine((p) => [p.width !== undefined || p.height !== undefined, p.scale !== undefined, p.resolution !== undefined].filter(Boolean).length === 1, {
    message: "give exactly one of: width and/or height, scale, resolution",
  });
export type GeotiffResizeParams = z.infer<typeof GeotiffResizeParams>;
export type GeotiffResizeParamsInput = z.input<typeof GeotiffResizeParams>;
