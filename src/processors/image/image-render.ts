import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import sharp, { type Sharp } from "sharp";
import { toImageError } from "./image-errors.ts";
import { OUTPUT_FORMAT_INFO, type OutputFormat } from "./image-formats.ts";
import type { ImageProcessorOptions } from "./image-options.ts";
import type { ImageProbe } from "./image-probe.ts";

export type Fit = "cover" | "contain" | "inside" | "outside" | "fill";

export interface RenderRequest {
  filePath: string;
  /** Absolute path of the file to write; its directory is created. */
  outPath: string;
  format: OutputFormat;
  /** Ignored for png and tiff, which are written losslessly. */
  quality?: number | undefined;
  /** Bounding box; never enlarges the image (an image already smaller keeps its size). */
  resize?: { width?: number | undefined; height?: number | undefined; fit: Fit } | undefined;
  /** False: no EXIF, XMP or ICC in the output (sRGB implied). True: EXIF kept (orientation reset to
   * 1, since the pixels are turned upright) and an sRGB ICC profile attached. */
  keepMetadata: boolean;
  /** Keep every frame of an animated input; honoured only by formats that can animate (webp). */
  animated: boolean;
  probe: ImageProbe;
  options: ImageProcessorOptions;
  stage: string;
}

export interface RenderResult {
  width: number;
  height: number;
  size: number;
  frames: number;
}

/**
 * Decodes, turns upright, resizes, converts to sRGB and encodes one image. The file appears under
 * its final name only once complete, so a crash never leaves a plausible half-written output.
 */
export async function renderImage(req: RenderRequest): Promise<RenderResult> {
  const info = OUTPUT_FORMAT_INFO[req.format];
  const animated = req.animated && info.animation && req.probe.animated;
  const partial = `${req.outPath}.partial`;
  await mkdir(dirname(req.outPath), { recursive: true });
  try {
    let image = sharp(req.filePath, {
      limitInputPixels: req.options.limitInputPixels,
      failOn: req.options.failOn,
      animated,
    }).autoOrient();
    if (req.resize) image = image.resize({ ...req.resize, withoutEnlargement: true });
    if (!info.alpha) image = image.flatten({ background: "#ffffff" });
    image = image.toColourspace(req.probe.highBitDepth && info.highBitDepth ? "rgb16" : "srgb");
    if (req.keepMetadata) image = image.keepExif().withIccProfile("srgb");
    const out = await encode(image, req.format, req.quality, req.options).toFile(partial);
    await rename(partial, req.outPath);
    return { width: out.width, height: out.pageHeight ?? out.height, size: out.size, frames: out.pages ?? 1 };
  } catch (error) {
    await rm(partial, { force: true });
    throw toImageError(error, req.stage, "decode");
  }
}

/** The encoder settings every image output uses (see README.md: Encoders). */
export function encode(image: Sharp, format: OutputFormat, quality: number | undefined, options: ImageProcessorOptions): Sharp {
  const q = quality === undefined ? {} : { quality };
  switch (format) {
    case "jpeg":
      // Progressive: a large photo shows something at once on a slow connection.
      return image.jpeg({ ...q, progressive: true });
    case "png":
      // A PNG `quality` would switch sharp to a lossy palette; PNG stays lossless instead.
      return image.png();
    case "tiff":
      // sharp's TIFF default is JPEG-in-TIFF, which many readers mishandle; LZW is lossless and universal.
      return image.tiff({ compression: "lzw", predictor: "horizontal" });
    case "avif":
      return image.avif({ ...q, effort: options.avifEffort });
    case "webp":
      return image.webp(q);
  }
}
