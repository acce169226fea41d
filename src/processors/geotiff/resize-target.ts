import { AppError } from "../../contracts/app-error.ts";
import type { GeotiffResizeParams } from "./geotiff-resize.params.ts";
import type { RasterInfo } from "./raster-info.ts";
import { withDefaults } from "../../shared/with-defaults.ts";

export interface ResizeLimits {
  /** Largest output, in pixels per band, whatever the input. Default: 1e9 (~31 600²). */
  maxOutputPixels?: number;
  /** Largest output relative to the input: output pixels per input pixel (256 = 16× each side).
   * A 250 KB raster asked for 63 000 px wide would run for many minutes at GBs of RAM. Default: 256. */
  maxUpscaleArea?: number;
  /** Outputs up to this many pixels are always allowed, even from a tiny input. Default: 64e6 (8 000²). */
  freePixels?: number;
  /** Largest uncompressed output (pixels × bands × bytes per sample). Default: 8 GiB. */
  maxOutputBytes?: number;
}

export const RESIZE_LIMITS_DEFAULTS: Required<ResizeLimits> = { maxOutputPixels: 1e9, maxUpscaleArea: 256, freePixels: 64e6, maxOutputBytes: 8 * 1024 ** 3 };

/** Bytes per sample of a GDAL data type name (Byte, UInt16, Float32, CFloat64, …). */
function bytesPerSample(dataType: string): number {
  const bits = Number(/(\d+)$/.exec(dataType)?.[1] ?? 8);
  return (dataType.startsWith("C") ? 2 : 1) * Math.max(1, bits / 8);
}

export interface ResizeTarget {
  width: number;
  height: number;
  /** gdal_translate arguments that produce that size. */
  args: string[];
}

/** The output size for these params, as pure arithmetic on the input's facts. */
export function resizeTarget(info: RasterInfo, params: GeotiffResizeParams, limits: ResizeLimits = {}): ResizeTarget {
  const { maxOutputPixels, maxUpscaleArea, freePixels, maxOutputBytes } = withDefaults(RESIZE_LIMITS_DEFAULTS, limits);
  let target: ResizeTarget;
  if (params.resolution !== undefined) {
    if (!info.pixelSize) throw new AppError("INVALID_PARAMS", "resolution needs a georeferenced raster; this one has no geotransform: use width/height or scale");
    const res = params.resolution;
    const width = Math.max(1, Math.round((info.width * info.pixelSize[0]) / res));
    const height = Math.max(1, Math.round((info.height * info.pixelSize[1]) / res));
    target = { width, height, args: ["-tr", String(res), String(res)] };
  } else {
    const size = pixelSize(info, params);
    target = { ...size, args: ["-outsize", String(size.width), String(size.height)] };
  }
  // The output's size is capped from the input and the params before GDAL runs: INPUT_TOO_LARGE,
  // like any other pixel limit (README), with the limit that fired in the message and details.
  const pixels = target.width * target.height;
  const allowed = Math.min(maxOutputPixels, Math.max(freePixels, info.width * info.height * maxUpscaleArea));
  const bytes = pixels * info.bandCount * bytesPerSample(info.dataType);
  const details = { width: target.width, height: target.height, pixels, allowed_pixels: allowed, bytes, max_bytes: maxOutputBytes };
  if (pixels > allowed) {
    const why = allowed === maxOutputPixels ? `the limit of ${maxOutputPixels} pixels` : `${maxUpscaleArea}× the input's ${info.width}x${info.height} pixels (${allowed})`;
    throw new AppError("INPUT_TOO_LARGE", `the resized raster would be ${target.width}x${target.height} pixels, over ${why}`, { details });
  }
  if (bytes > maxOutputBytes) {
    throw new AppError(
      "INPUT_TOO_LARGE",
      `the resized raster would be ${target.width}x${target.height} x ${info.bandCount} band(s) of ${info.dataType} = ${bytes} bytes uncompressed, over the limit of ${maxOutputBytes}`,
      { details },
    );
  }
  return target;
}

function pixelSize(info: RasterInfo, params: GeotiffResizeParams): { width: number; height: number } {
  const { width, height, scale } = params;
  if (scale !== undefined) return { width: Math.max(1, Math.round(info.width * scale)), height: Math.max(1, Math.round(info.height * scale)) };
  if (width !== undefined && height !== undefined) return { width, height };
  if (width !== undefined) return { width, height: Math.max(1, Math.round((width * info.height) / info.width)) };
  if (height !== undefined) return { width: Math.max(1, Math.round((height * info.width) / info.height)), height };
  throw new AppError("INVALID_PARAMS", "give exactly one of: width and/or height, scale, resolution");
}
