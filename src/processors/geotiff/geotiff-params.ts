import { z } from "zod";

/** GDAL resampling methods a caller may ask for. */
export const RESAMPLING_METHODS = ["nearest", "bilinear", "cubic", "average", "mode", "lanczos"] as const;
export const Resampling = z.enum(RESAMPLING_METHODS);
export type Resampling = z.infer<typeof Resampling>;

/** An SRS GDAL will parse without touching the file system: an AUTHORITY:CODE, a PROJ string or WKT.
 * GDAL also accepts file names for an SRS, which would let a caller make it read any local file. */
export const SrsString = z
  .string()
  .max(8192)
  .refine((s) => /^[A-Za-z_0-9]+:\d+$/.test(s) || /^\+proj=[\w\s=+.,:-]+$/.test(s) || /^\s*[A-Z_]+\[/.test(s), "must be AUTHORITY:CODE (e.g. EPSG:3857), a +proj= string or WKT");

export const CogCompression = z.enum(["deflate", "lzw", "zstd", "jpeg", "webp", "lerc"]);
export type CogCompression = z.infer<typeof CogCompression>;

export const PreviewParams = z.object({
  format: z.enum(["webp", "png"]).default("webp"),
  /** Longest side in pixels. Default: 1024. */
  max_size: z.number().int().min(16).max(1024).default(1024),
});
export type PreviewParams = z.infer<typeof PreviewParams>;
