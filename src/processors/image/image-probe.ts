import { Buffer } from "node:buffer";
import { open } from "node:fs/promises";
import sharp, { type Metadata } from "sharp";
import { AppError } from "../../contracts/app-error.ts";
import { headerSize } from "./header-size.ts";
import { toImageError } from "./image-errors.ts";
import { isAcceptedInputFormat, isAnimatedInput } from "./image-formats.ts";
import type { ImageProcessorOptions } from "./image-options.ts";

/** What the header says, read before any pixel is decoded. */
export interface ImageProbe {
  format: string;
  /** Upright size (EXIF orientation applied) of one frame. */
  width: number;
  height: number;
  /** Frames/pages in the file; 1 for a still image. */
  pages: number;
  /** True when the pages are frames of an animation (GIF, WebP), not separate images. */
  animated: boolean;
  /** True when the samples are 16-bit (or wider); the output may then need narrowing. */
  highBitDepth: boolean;
  hasAlpha: boolean;
}

/**
 * Reads the header and refuses what must not be decoded: non-images, codecs this node lacks, and
 * pixel bombs. `frames` is how many frames the caller will decode (1, or all for animated output),
 * since each decoded frame costs memory.
 */
export async function probeImage(filePath: string, options: Pick<ImageProcessorOptions, "limitInputPixels">, stage: string, frames: "first" | "all" = "first"): Promise<ImageProbe> {
  let meta: Metadata;
  try {
    // The limit is checked below with a clearer message than libvips' own refusal.
    meta = await sharp(filePath, { limitInputPixels: false }).metadata();
  } catch (error) {
    // libvips calls a header that claims 2³¹ px "corrupt" or "unsupported": read the claim ourselves.
    const claimed = await headerSize(filePath).catch(() => null);
    if (claimed && claimed.width * claimed.height > options.limitInputPixels) throw tooLarge(claimed.width, claimed.height, 1, options.limitInputPixels, stage);
    const mapped = toImageError(error, stage, "header");
    if (mapped.code === "UNSUPPORTED_FORMAT" && (await isAvifSequence(filePath))) {
      throw new AppError("UNSUPPORTED_FORMAT", "Animated AVIF (an AVIF image sequence) cannot be read on this node; upload a still AVIF or an animated WebP/GIF.", { stage });
    }
    throw mapped;
  }
  const { format, width, height } = meta;
  if (!isAcceptedInputFormat(format)) {
    throw new AppError("UNSUPPORTED_FORMAT", `The input is ${format ?? "an unknown format"}, which this task does not read; send JPEG, PNG, WebP, TIFF, GIF or AVIF.`, { stage });
  }
  if (format === "heif" && meta.compression === "hevc" && !canDecodeHevc()) {
    throw new AppError(
      "UNSUPPORTED_FORMAT",
      "HEIC (HEVC-coded HEIF) cannot be decoded on this node: its libvips is built without an HEVC decoder (patent-encumbered codec). Convert the photo to JPEG or AVIF before uploading.",
      { stage, details: { compression: meta.compression } },
    );
  }
  if (!width || !height) throw new AppError("INPUT_CORRUPT", "The image header gives no width or height.", { stage });
  const pages = meta.pages ?? 1;
  const decodedFrames = frames === "all" && isAnimatedInput(format) ? pages : 1;
  const pixels = width * height * decodedFrames;
  if (pixels > options.limitInputPixels) throw tooLarge(width, height, decodedFrames, options.limitInputPixels, stage);
  const upright = meta.autoOrient ?? { width, height };
  return {
    format,
    width: upright.width,
    height: upright.height,
    pages,
    animated: pages > 1 && isAnimatedInput(format),
    highBitDepth: meta.depth !== undefined && !["uchar", "char"].includes(meta.depth),
    hasAlpha: meta.hasAlpha,
  };
}

/** libvips lists `.heic` among heifload's suffixes only when libheif has an HEVC decoder plugin. */
function canDecodeHevc(): boolean {
  return sharp.format.heif.input.fileSuffix?.includes(".heic") ?? false;
}

/** An ISO-BMFF file whose major brand is `avis`: libvips' sniffer does not take AVIF sequences. */
async function isAvifSequence(filePath: string): Promise<boolean> {
  const file = await open(filePath, "r");
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(12), 0, 12, 0);
    return bytesRead === 12 && buffer.toString("latin1", 4, 12) === "ftypavis";
  } finally {
    await file.close();
  }
}

function tooLarge(width: number, height: number, frames: number, limit: number, stage: string): AppError {
  const pixels = width * height * frames;
  const frameNote = frames > 1 ? ` × ${frames} frames` : "";
  return new AppError(
    "INPUT_TOO_LARGE",
    `The image is ${width}×${height} px${frameNote} = ${pixels.toLocaleString("en-US")} pixels, above this node's limit of ${limit.toLocaleString("en-US")} pixels.`,
    { stage, details: { width, height, frames, pixels, limit } },
  );
}
