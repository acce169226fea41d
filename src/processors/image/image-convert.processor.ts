import { z } from "zod";
import { defineProcessor, type ProcessorDefinition, type Stage } from "../processor.ts";
import { OUTPUT_FORMAT_INFO, OutputFormat, Quality } from "./image-formats.ts";
import { resolveImageOptions, type ImageProcessorOptions } from "./image-options.ts";
import { imageStage } from "./image-stage.ts";

/** 16 383 px is WebP's largest side, the smallest cap among the output formats. */
const Edge = z.number().int().positive().max(16_383);

export const ImageConvertParams = z.object({
  format: OutputFormat,
  /** 1–100; omitted: the encoder's default. Ignored for png and tiff (written losslessly). */
  quality: Quality.optional(),
  /** Bounding box in px; either or both. The image is never enlarged beyond its own size. */
  width: Edge.optional(),
  height: Edge.optional(),
  /** How the image meets a width+height box, as sharp's `fit`. Default: "inside" (whole image, aspect kept). */
  fit: z.enum(["cover", "contain", "inside", "outside", "fill"]).default("inside"),
  /** True: no EXIF/XMP/ICC in the output. False: EXIF kept (orientation reset to 1) and an sRGB ICC
   * profile attached. Default: true. */
  strip_metadata: z.boolean().default(true),
});
export type ImageConvertParams = z.infer<typeof ImageConvertParams>;

/**
 * One stage, `convert`, writing `image.<ext>`. The output is upright and sRGB; alpha is kept where
 * the format has it and flattened onto white for jpeg. An animated GIF/WebP stays animated only when
 * the output is webp (the one format here libvips writes as an animation); every other format gets
 * the first frame, as do multi-page TIFFs.
 */
export function createImageConvertProcessor(options: Partial<ImageProcessorOptions> = {}): ProcessorDefinition<ImageConvertParams> {
  const resolved = resolveImageOptions(options);
  return defineProcessor({
    taskType: "image_convert",
    params: ImageConvertParams,
    // sharp reads the input in this process; every write goes to the output or work folder.
    inputReadOnly: true,
    // DESIGN.md §5 weights. Measured on a 24 Mpx, 3.1 MB JPEG (2 cores), whole-process peak RSS:
    // 0.13 GB png/tiff, 0.27 GB jpeg/webp, 0.9 GB avif (the aom encoder); 19-29 s for avif, 2-10 s
    // for the others. JPEG is the densest input, hence ~100 bytes of RAM per input byte.
    profile: { cpu_percent: 5, ram_gb: 1, max_concurrent: 20, ram_bytes_per_input_byte: 100, timeout_seconds: 600 },
    stages: () => [convertStage(resolved)],
  });
}

export const imageConvertProcessor = createImageConvertProcessor();

function convertStage(options: ImageProcessorOptions): Stage<ImageConvertParams> {
  return imageStage<ImageConvertParams>(
    {
      name: "convert",
      label: "Convert image",
      type: "image",
      logMessage: "image converted",
      plan: (params) => ({
        path: `image.${OUTPUT_FORMAT_INFO[params.format].ext}`,
        format: params.format,
        quality: params.quality,
        resize: params.width === undefined && params.height === undefined ? undefined : { width: params.width, height: params.height, fit: params.fit },
        keepMetadata: !params.strip_metadata,
        animated: true,
      }),
    },
    options,
  );
}
