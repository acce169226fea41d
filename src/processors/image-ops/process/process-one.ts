import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import sharp from "sharp";
import { toImageError } from "../../image/image-errors.ts";
import { OUTPUT_FORMAT_INFO, type OutputFormat } from "../../image/image-formats.ts";
import type { ImageProcessorOptions } from "../../image/image-options.ts";
import { probeImage } from "../../image/image-probe.ts";
import { encode } from "../../image/image-render.ts";
import { applyOperations } from "./apply-operations.ts";
import type { Operation } from "./operations.ts";
import { toRaster } from "./raster.ts";
import type { WatermarkSources } from "./watermark.ts";

export interface ProcessOneRequest {
  filePath: string;
  outPath: string;
  operations: readonly Operation[];
  format: OutputFormat;
  quality: number | undefined;
  options: ImageProcessorOptions;
  imageFile: WatermarkSources["imageFile"];
  stage: string;
  signal: AbortSignal;
}

/** Probes (limits before decoding), decodes upright 8-bit sRGB, applies the operations in order
 * and writes one metadata-free file, under its final name only once complete. */
export async function processOne(req: ProcessOneRequest): Promise<{ width: number; height: number; bytes: number }> {
  await probeImage(req.filePath, req.options, req.stage, "first");
  let start;
  try {
    start = await toRaster(sharp(req.filePath, { limitInputPixels: req.options.limitInputPixels, failOn: req.options.failOn }).autoOrient().toColourspace("srgb"));
  } catch (error) {
    throw toImageError(error, req.stage, "decode");
  }
  const info = OUTPUT_FORMAT_INFO[req.format];
  const partial = `${req.outPath}.partial`;
  await mkdir(dirname(req.outPath), { recursive: true });
  try {
    let image = await applyOperations(start, req.operations, { imageFile: req.imageFile, limitInputPixels: req.options.limitInputPixels }, req.signal);
    if (!info.alpha) image = image.flatten({ background: "#ffffff" });
    const out = await encode(image.toColourspace("srgb"), req.format, req.quality, req.options).toFile(partial);
    await rename(partial, req.outPath);
    return { width: out.width, height: out.height, bytes: out.size };
  } catch (error) {
    await rm(partial, { force: true });
    // AppErrors (a crop outside the image…) keep their code and get the stage.
    throw toImageError(error, req.stage, "decode");
  }
}
