import { AppError } from "../../contracts/app-error.ts";
import type { CogCompression, Resampling } from "./geotiff-params.ts";
import type { RasterInfo } from "./raster-info.ts";

export interface CogChoice {
  compression: CogCompression;
  predictor: boolean;
  overviewResampling: Resampling;
}

export interface CogRequest {
  compression?: CogCompression | undefined;
  quality?: number | undefined;
  blockSize: number;
  resampling?: Resampling | undefined;
  targetSrs?: string | undefined;
  webOptimized: boolean;
}

/** Resampling by the meaning of the pixels: class ids and palette indices must never be blended
 * (NEAREST keeps them valid values of the palette); pictures and measurements are averaged, which
 * is what makes an overview pixel a faithful summary of the pixels below it. */
export function defaultResampling(info: RasterInfo): Resampling {
  return info.kind === "categorical" ? "nearest" : "average";
}

/** Compression, predictor and resampling for this raster, or INVALID_PARAMS when the asked
 * compression cannot store its pixels. */
export function chooseCog(info: RasterInfo, request: CogRequest): CogChoice {
  const compression = request.compression ?? "deflate";
  const lossy = compression === "jpeg" || compression === "webp";
  if (lossy && (info.dataType !== "Byte" || info.hasPalette)) {
    throw new AppError("INVALID_PARAMS", `${compression} compression needs 8-bit imagery; this raster is ${info.hasPalette ? "paletted" : info.dataType}: use deflate, zstd or lerc`);
  }
  if (compression === "webp" && info.bandCount !== 3 && info.bandCount !== 4) {
    throw new AppError("INVALID_PARAMS", `webp compression needs 3 or 4 bands; this raster has ${info.bandCount}`);
  }
  if (compression === "jpeg" && ![1, 3, 4].includes(info.bandCount)) {
    throw new AppError("INVALID_PARAMS", `jpeg compression needs 1, 3 or 4 (RGBA) bands; this raster has ${info.bandCount}`);
  }
  // A predictor makes neighbouring values small differences, which deflate/zstd/lzw pack far better
  // for continuous data; palette indices have no such order, so it only costs time there. GDAL
  // refuses one on packed samples (NBITS=12 and the like), which would fail the whole task.
  const predictor = (compression === "deflate" || compression === "zstd" || compression === "lzw") && info.kind !== "categorical" && info.nbits === undefined;
  return { compression, predictor, overviewResampling: request.resampling ?? defaultResampling(info) };
}

/** gdal_translate arguments writing `input` as a COG to `output`. */
export function cogTranslateArgs(input: string, output: string, info: RasterInfo, request: CogRequest, choice: CogChoice): string[] {
  const co: string[] = [
    `COMPRESS=${choice.compression.toUpperCase()}`,
    `BLOCKSIZE=${request.blockSize}`,
    `OVERVIEW_RESAMPLING=${choice.overviewResampling.toUpperCase()}`,
    // Existing overviews may have been made with the wrong resampling (an averaged palette) or be
    // out of order; rebuilding them costs a fraction of the full-resolution copy.
    "OVERVIEWS=IGNORE_EXISTING",
    "NUM_THREADS=ALL_CPUS",
    "BIGTIFF=IF_SAFER",
  ];
  if (choice.predictor) co.push("PREDICTOR=YES");
  if (request.quality !== undefined && (choice.compression === "jpeg" || choice.compression === "webp")) co.push(`QUALITY=${request.quality}`);
  const reproject = request.targetSrs !== undefined || request.webOptimized;
  if (request.webOptimized) co.push("TILING_SCHEME=GoogleMapsCompatible");
  else if (request.targetSrs !== undefined) co.push(`TARGET_SRS=${request.targetSrs}`);
  if (reproject) {
    if (!info.hasGeoreference) throw new AppError("INVALID_PARAMS", "the raster has no georeferencing, so it cannot be reprojected");
    // Reprojection resamples at about the same resolution, where averaging degenerates into a blocky
    // nearest; bilinear interpolates smoothly there. Class ids still must never be interpolated.
    co.push(`WARP_RESAMPLING=${(request.resampling ?? (info.kind === "categorical" ? "nearest" : "bilinear")).toUpperCase()}`);
  }
  return ["-of", "COG", ...co.flatMap((o) => ["-co", o]), input, output];
}
