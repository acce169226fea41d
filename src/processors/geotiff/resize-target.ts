import { AppError } from "../../contracts/app-error.ts";
import type { GeotiffResizeParams } from "./geotiff-resize.params.ts";
import type { RasterInfo } from "./raster-info.ts";

export interface ResizeLimits {
  /** Largest output, in pixels per band: a 64x upscale of a big raster would fill the disk. Default: 4e9 (~63 000²). */
  maxOutputPixels?: number;
}

export const RESIZE_LIMITS_DEFAULTS: Required<ResizeLimits> = { maxOutputPixels: 4e9 };

export interface ResizeTarget {
  width: number;
  height: number;
  /** gdal_translate arguments that produce that size. */
  args: string[];
}

/** The output size for these params, as pure arithmetic on the input's facts. */
export function resizeTarget(info: RasterInfo, params: GeotiffResizeParams, limits: ResizeLimits = {}): ResizeTarget {
  const { maxOutputPixels } = { ...RESIZE_LIMITS_DEFAULTS, ...limits };
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
  if (target.width * target.height > maxOutputPixels) {
    throw new AppError("INPUT_TOO_LARGE", `the resized raster would be ${target.width}x${target.height} pixels, over the limit of ${maxOutputPixels}`);
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
