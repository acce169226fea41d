import { join } from "node:path";
import { AppError } from "../../contracts/app-error.ts";
import type { PreviewParams } from "./geotiff-params.ts";
import { runGdal } from "./gdal-runner.ts";
import { toRasterInfo, type RasterInfo } from "./raster-info.ts";
import { gdalInfoJson } from "./raster-inspect.ts";

export interface PreviewRun {
  signal: AbortSignal;
  workDir: string;
  stage?: string;
  onPercent?: (percent: number) => void;
}

/** Pixel size of a preview that fits `maxSize` on its longest side, never upscaled. */
export function previewSize(width: number, height: number, maxSize: number): { width: number; height: number } {
  const scale = Math.min(1, maxSize / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Bands of an 8-bit RGB(A) preview: grey is repeated into RGB (WEBP has no grey), and a nodata
 * area becomes transparent through GDAL's mask band. */
export function previewBandArgs(info: RasterInfo): string[] {
  const alphaBand = info.hasAlpha ? String(info.bandCount) : info.nodata !== null ? "mask" : null;
  const rgb = info.bandCount >= 3 ? ["1", "2", "3"] : ["1", "1", "1"];
  const alpha = info.bandCount === 2 && info.hasAlpha ? "2" : alphaBand;
  return [...rgb, ...(alpha ? [alpha] : [])].flatMap((b) => ["-b", b]);
}

/** Writes a WEBP/PNG preview of a COG. The COG's overviews make this read a few MB at most, so it
 * stays quick however large the raster. Non-8-bit data is stretched from its own min/max. */
export async function writeGeoTiffPreview(cogPath: string, outPath: string, params: PreviewParams, run: PreviewRun): Promise<void> {
  const where = { signal: run.signal, ...(run.stage ? { stage: run.stage } : {}) };
  const cogInfo = toRasterInfo(await gdalInfoJson(cogPath, where));
  const size = previewSize(cogInfo.width, cogInfo.height, params.max_size);
  const small = join(run.workDir, "preview-source.tif");
  await runGdal(
    "gdal_translate",
    [
      "-of",
      "GTiff",
      "-outsize",
      String(size.width),
      String(size.height),
      "-r",
      cogInfo.kind === "categorical" ? "nearest" : "average",
      // A palette cannot go into WEBP: colours are looked up first, palette alpha included.
      ...(cogInfo.hasPalette ? ["-expand", "rgba"] : []),
      cogPath,
      small,
    ],
    { ...where, ...(run.onPercent ? { onPercent: (p: number) => run.onPercent?.(p * 0.8) } : {}) },
  );

  const smallJson = await gdalInfoJson(small, { ...where, extraArgs: cogInfo.dataType === "Byte" ? [] : ["-mm"] });
  const smallInfo = toRasterInfo(smallJson);
  const bandArgs = previewBandArgs(smallInfo);
  const stretch: string[] = [];
  if (smallInfo.dataType !== "Byte") {
    const band = smallJson.bands[0];
    const min = band?.computedMin;
    const max = band?.computedMax;
    if (min === undefined || max === undefined) throw new AppError("INPUT_CORRUPT", "the raster holds no valid pixel to preview", where.stage ? { stage: where.stage } : {});
    const hi = max > min ? max : min + 1;
    stretch.push("-ot", "Byte", ...[1, 2, 3].flatMap((b) => [`-scale_${b}`, String(min), String(hi), "0", "255"]));
  }
  await runGdal("gdal_translate", ["-of", params.format.toUpperCase(), ...bandArgs, ...stretch, ...(params.format === "webp" ? ["-co", "QUALITY=85"] : []), small, outPath], where);
  if (run.onPercent) run.onPercent(100);
}
