import { AppError } from "../../contracts/app-error.ts";
import { createFileMemo } from "../shared/file-memo.ts";
import { runGdal } from "./gdal-runner.ts";
import { fidelityProblems } from "./raster-fidelity.ts";
import { GdalInfoJson, toRasterInfo, type RasterInfo } from "./raster-info.ts";
import { openFileByteSource } from "../shared/byte-source.ts";
import { BrokenTiffError, NotTiffError, readTiffStructure, type TiffStructure } from "./tiff-ifd.reader.ts";

export interface InspectOptions {
  signal: AbortSignal;
  stage?: string;
}

const inspected = createFileMemo<Readonly<RasterInfo>>();
const gdalInfos = createFileMemo<GdalInfoJson>();

/** Checks that `path` is a whole TIFF and reads its raster facts with gdalinfo. A non-TIFF is
 * UNSUPPORTED_FORMAT; a TIFF with missing bytes is INPUT_CORRUPT here rather than a failure half an
 * hour into gdal_translate (gdalinfo alone opens a truncated file without complaint). The facts of
 * an unchanged file are remembered in this process (see file-memo.ts), so the stages after the
 * first read them for the price of a stat. */
export async function inspectGeoTiff(path: string, options: InspectOptions): Promise<Readonly<RasterInfo>> {
  return inspected(path, "inspect", async () => {
    const where = options.stage ? { stage: options.stage } : {};
    // Side by side: gdalinfo is a process that spends most of its ~100 ms loading its libraries,
    // the structure check is this process's own reading. The structure's verdict wins when both
    // fail, as when it ran first: it names what is wrong with the file.
    const [complete, gdalinfo] = await Promise.allSettled([assertCompleteTiff(path, where), runGdal("gdalinfo", ["-json", "-nofl", path], { signal: options.signal, ...where })]);
    if (complete.status === "rejected") throw complete.reason;
    if (gdalinfo.status === "rejected") throw gdalinfo.reason;
    const info = toRasterInfo(parseGdalInfo(gdalinfo.value.stdout, where));
    if (info.pixelSize) Object.freeze(info.pixelSize);
    return Object.freeze(info);
  });
}

/** gdalinfo -json output as typed facts; also used on outputs (palette and nodata checks). Remembered
 * per unchanged file and arguments like inspectGeoTiff, so the result is shared: read it, never
 * change it. */
export async function gdalInfoJson(path: string, options: InspectOptions & { extraArgs?: string[] }): Promise<GdalInfoJson> {
  const args = ["-json", ...(options.extraArgs ?? [])];
  return gdalInfos(path, args.join(" "), async () => {
    const where = options.stage ? { stage: options.stage } : {};
    const { stdout } = await runGdal("gdalinfo", [...args, path], { signal: options.signal, ...where });
    return parseGdalInfo(stdout, where);
  });
}

/** Fails INVALID_OUTPUT when the raster at `outPath` lost the palette, nodata, alpha or data type
 * that `source` had; `what` names it in the message ("the COG"). */
export async function assertFidelity(source: RasterInfo, outPath: string, what: string, options: InspectOptions): Promise<void> {
  const problems = fidelityProblems(source, toRasterInfo(await gdalInfoJson(outPath, options)));
  if (problems.length > 0) {
    const where = options.stage ? { stage: options.stage } : {};
    throw new AppError("INVALID_OUTPUT", `${what} lost what the input had: ${problems.join("; ")}`, { ...where, details: { problems } });
  }
}

function parseGdalInfo(stdout: string, where: { stage?: string }): GdalInfoJson {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch (cause) {
    throw new AppError("TOOL_FAILED", "gdalinfo did not print JSON", { ...where, cause });
  }
  const parsed = GdalInfoJson.safeParse(raw);
  if (!parsed.success) throw new AppError("UNSUPPORTED_FORMAT", `the raster has no usable bands: ${parsed.error.message}`, where);
  if (parsed.data.driverShortName !== "GTiff") {
    throw new AppError("UNSUPPORTED_FORMAT", `expected a GeoTIFF, GDAL read it as ${parsed.data.driverShortName}`, where);
  }
  return parsed.data;
}

async function assertCompleteTiff(path: string, where: { stage?: string }): Promise<void> {
  const source = await openFileByteSource(path);
  let structure: TiffStructure;
  try {
    structure = await readTiffStructure(source);
  } catch (error) {
    if (error instanceof NotTiffError) throw new AppError("UNSUPPORTED_FORMAT", `the input is not a TIFF/GeoTIFF file: ${error.message}`, { ...where, cause: error });
    if (error instanceof BrokenTiffError) throw new AppError("INPUT_CORRUPT", `the TIFF structure is damaged: ${error.message}`, { ...where, cause: error });
    throw error;
  } finally {
    await source.close();
  }
  for (const [i, ifd] of structure.ifds.entries()) {
    const end = ifd.blockOffsets.reduce((max, offset, k) => Math.max(max, offset + (ifd.blockByteCounts[k] ?? 0)), 0);
    if (end > source.size) {
      throw new AppError("INPUT_CORRUPT", `the TIFF is truncated: image ${i} needs ${end} bytes, the file has ${source.size}`, {
        ...where,
        details: { needed: end, size: source.size },
      });
    }
  }
}
