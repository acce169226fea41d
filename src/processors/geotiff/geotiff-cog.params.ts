import { z } from "zod";
import { CogCompression, PreviewParams, Resampling, SrsString } from "./geotiff-params.ts";

/** Params of `geotiff_cog`. Unset fields are chosen from the data (see cog-options.ts). */
export const GeotiffCogParams = z
  .object({
    /** Default: deflate with a predictor (lossless); jpeg/webp only when asked. */
    compression: CogCompression.optional(),
    /** JPEG/WEBP quality. Default: GDAL's 75. */
    quality: z.number().int().min(1).max(100).optional(),
    /** Tile size in pixels. Default: 512. */
    block_size: z.union([z.literal(256), z.literal(512)]).default(512),
    /** Overview (and warp) resampling. Default: nearest for paletted rasters, average otherwise. */
    resampling: Resampling.optional(),
    /** Reproject to this SRS, e.g. "EPSG:3857". Default: keep the input's. */
    target_srs: SrsString.optional(),
    /** Align tiles and overviews to the web-mercator tile grid (TILING_SCHEME=GoogleMapsCompatible). Default: false. */
    web_optimized: z.boolean().default(false),
    /** A preview image of the COG, or false for none. Default: webp, 1024 px. */
    preview: z.union([PreviewParams, z.literal(false)]).default({ format: "webp", max_size: 1024 }),
  })
  .strict()
  .refine((p) => !(p.web_optimized && p.target_srs !== undefined && p.target_srs.toUpperCase() !== "EPSG:3857"), {
    message: "web_optimized implies EPSG:3857; target_srs must be EPSG:3857 or unset",
    path: ["target_srs"],
  });
export type GeotiffCogParams = z.infer<typeof GeotiffCogParams>;
export type GeotiffCogParamsInput = z.input<typeof GeotiffCogParams>;
