import { withDefaults } from "../../shared/with-defaults.ts";

/** Node-level settings of the image processors (not per-task params: Laravel never sends these). */
export interface ImageProcessorOptions {
  /**
   * Largest input, in pixels of the frames that will be decoded (width × height × frames). Checked
   * from the header before any decoding, so a small file that claims a huge raster is refused
   * cheaply. Default: 268 402 689 (0x3FFF², sharp's own default).
   */
  limitInputPixels: number;
  /**
   * How strict decoding is about damaged pixel data, as sharp's `failOn`. `warning` is what sharp
   * advises for untrusted input and is what turns a truncated JPEG into INPUT_CORRUPT instead of a
   * silently grey lower half. Default: "warning".
   */
  failOn: "none" | "truncated" | "error" | "warning";
  /**
   * AVIF encoder effort, 0 (fastest) – 9, as sharp's `effort`. On a 24 Mpx photo (2 cores) sharp's
   * own default, 4, took 105 s for 660 KB; 2 took 16 s for 833 KB. A light task at the pixel limit
   * would blow its timeout at 4, so 2 trades ~25 % bigger files for 6× speed. Default: 2.
   */
  avifEffort: number;
}

export const IMAGE_PROCESSOR_DEFAULTS: Readonly<ImageProcessorOptions> = {
  limitInputPixels: 268_402_689,
  failOn: "warning",
  avifEffort: 2,
};

export function resolveImageOptions(options: Partial<ImageProcessorOptions> = {}): ImageProcessorOptions {
  return withDefaults(IMAGE_PROCESSOR_DEFAULTS, options);
}
