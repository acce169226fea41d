import { z } from "zod";
import { defineProcessor, type ProcessorDefinition, type Stage } from "../processor.ts";
import { OUTPUT_FORMAT_INFO, Quality } from "./image-formats.ts";
import { resolveImageOptions, type ImageProcessorOptions } from "./image-options.ts";
import { imageStage } from "./image-stage.ts";

/** Longest edge in px; 16 383 is WebP's largest side, the smallest cap among the formats. */
const ThumbnailSize = z.number().int().positive().max(16_383);

export const ImageThumbnailParams = z.object({
  /** Longest edge of each thumbnail, px. Duplicates collapse; order is kept. Default: [256]. */
  sizes: z
    .array(ThumbnailSize)
    .min(1)
    .max(16)
    .default([256])
    .transform((sizes) => [...new Set(sizes)]),
  /** Default: "webp". */
  format: z.enum(["webp", "avif", "jpeg", "png"]).default("webp"),
  /** 1–100; omitted: the encoder's default. Ignored for png (lossless). */
  quality: Quality.optional(),
});
export type ImageThumbnailParams = z.infer<typeof ImageThumbnailParams>;

/**
 * One stage per size (`thumbnail_<size>`), so a resumed task redoes only the sizes it had not
 * finished. Thumbnails are upright, sRGB, metadata-free, taken from the first frame of an animated
 * or multi-page input, and never upscaled: a size above the image's long edge yields the image at
 * its own size (still at `thumbnails/<size>.<ext>`, so callers find it where they asked).
 */
export function createImageThumbnailProcessor(options: Partial<ImageProcessorOptions> = {}): ProcessorDefinition<ImageThumbnailParams> {
  const resolved = resolveImageOptions(options);
  return defineProcessor({
    taskType: "image_thumbnail",
    params: ImageThumbnailParams,
    // sharp reads the input in this process; every write goes to the output or work folder.
    inputReadOnly: true,
    // DESIGN.md §5 weights. JPEG shrink-on-load keeps a 24 Mpx, 3.1 MB photo at 0.11 GB peak RSS
    // (whole process) and 0.2 s; PNG and TIFF decode in full, ~3-6 bytes a pixel, hence the per-byte ask.
    profile: { cpu_percent: 3, ram_gb: 0.5, max_concurrent: 30, ram_bytes_per_input_byte: 10, timeout_seconds: 300 },
    stages: (params) => params.sizes.map((size) => thumbnailStage(size, resolved)),
  });
}

export const imageThumbnailProcessor = createImageThumbnailProcessor();

function thumbnailStage(size: number, options: ImageProcessorOptions): Stage<ImageThumbnailParams> {
  return imageStage<ImageThumbnailParams>(
    {
      name: `thumbnail_${size}`,
      label: `Thumbnail ${size} px`,
      type: "thumbnail",
      logMessage: "thumbnail written",
      plan: (params) => ({
        path: `thumbnails/${size}.${OUTPUT_FORMAT_INFO[params.format].ext}`,
        format: params.format,
        quality: params.quality,
        resize: { width: size, height: size, fit: "inside" },
        keepMetadata: false,
        animated: false,
      }),
      logFields: (probe) => ({ upscaleAvoided: size > Math.max(probe.width, probe.height) }),
    },
    options,
  );
}
