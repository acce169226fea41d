import { z } from "zod";

/** Every format the image processors write. Thumbnails use a subset (see ThumbnailFormat). */
export const OUTPUT_FORMATS = ["jpeg", "png", "tiff", "avif", "webp"] as const;
export const OutputFormat = z.enum(OUTPUT_FORMATS);
export type OutputFormat = z.infer<typeof OutputFormat>;

export interface OutputFormatInfo {
  /** File extension without the dot; also the `format` of the OutputFile. */
  ext: string;
  contentType: string;
  /** Can carry an alpha channel; jpeg cannot, so it is flattened onto white. */
  alpha: boolean;
  /** Can carry animation. Only webp: libvips writes other formats' frames as one tall image. */
  animation: boolean;
  /** Keeps 16 bits per channel from a 16-bit input. Only png: the others are written as 8-bit. */
  highBitDepth: boolean;
}

export const OUTPUT_FORMAT_INFO: Record<OutputFormat, OutputFormatInfo> = {
  jpeg: { ext: "jpg", contentType: "image/jpeg", alpha: false, animation: false, highBitDepth: false },
  png: { ext: "png", contentType: "image/png", alpha: true, animation: false, highBitDepth: true },
  tiff: { ext: "tif", contentType: "image/tiff", alpha: true, animation: false, highBitDepth: false },
  avif: { ext: "avif", contentType: "image/avif", alpha: true, animation: false, highBitDepth: false },
  webp: { ext: "webp", contentType: "image/webp", alpha: true, animation: true, highBitDepth: false },
};

/**
 * Input formats as sharp's metadata names them. SVG and libvips' own `.v` format are refused on
 * purpose: rasterising untrusted SVG widens the attack surface (external references, script-like
 * features) for no gain on a photo platform. HEIF is accepted here and narrowed by codec in the probe.
 */
export const INPUT_FORMATS = ["jpeg", "png", "webp", "tiff", "gif", "heif"] as const;

export function isAcceptedInputFormat(format: string | undefined): boolean {
  return format !== undefined && (INPUT_FORMATS as readonly string[]).includes(format);
}

/** Inputs whose pages are frames of one animation. A multi-page TIFF is a set of separate images
 * (scans, layers), so only its first page is used. */
export function isAnimatedInput(format: string): boolean {
  return format === "gif" || format === "webp";
}

/** Quality 1–100, as every sharp encoder reads it. Omitted: the encoder's own default. */
export const Quality = z.number().int().min(1).max(100);
