import { existsSync } from "node:fs";
import { AppError } from "../../contracts/app-error.ts";
import { checkCogBlocks } from "./cog-block.check.ts";
import { checkCogLayout, type CogLayoutReport } from "./cog-layout.rules.ts";
import { readGhostHeader } from "./ghost-header.ts";
import { openFileByteSource } from "../shared/byte-source.ts";
import { BrokenTiffError, NotTiffError, readTiffStructure, type TiffStructure } from "./tiff-ifd.reader.ts";
import { withDefaults } from "../../shared/with-defaults.ts";

export interface CogValidationOptions {
  /** Check block leaders, trailers and order as promised by the ghost header (GDAL's --full-check).
   * Reads 12 bytes per block, so cheap on local files. Default: true. */
  fullCheck?: boolean;
  /** Also require every level to be tiled, stricter than GDAL's validator, which accepts strips
   * narrower than 1024 px. Default: false. */
  requireTiled?: boolean;
}

export const COG_VALIDATION_DEFAULTS: Required<CogValidationOptions> = { fullCheck: true, requireTiled: false };

export interface CogValidation extends CogLayoutReport {
  valid: boolean;
  /** The IFDs the checks read, for callers that want more of the file's tags; null when it is not a readable TIFF. */
  structure: TiffStructure | null;
}

/** Validates a file's Cloud Optimized GeoTIFF layout by reading its TIFF structure directly.
 * A file that is not a TIFF, or whose structure is broken, is reported invalid, never thrown. */
export async function validateCog(path: string, options: CogValidationOptions = {}): Promise<CogValidation> {
  const opts = withDefaults(COG_VALIDATION_DEFAULTS, options);
  const source = await openFileByteSource(path);
  try {
    const structure = await readTiffStructure(source);
    const main = structure.ifds[0]!;
    const ghost = main.offset === 8 || main.offset === 16 ? null : await readGhostHeader(source, structure.bigTiff);
    const report = checkCogLayout({ structure, ghost, hasExternalOverviews: existsSync(`${path}.ovr`) });
    if (opts.fullCheck && ghost) report.errors.push(...(await checkCogBlocks(source, structure, ghost)));
    if (opts.requireTiled && !report.details.tiled) report.errors.push("Not every resolution level is tiled");
    return { ...report, valid: report.errors.length === 0, structure };
  } catch (error) {
    if (!(error instanceof NotTiffError || error instanceof BrokenTiffError)) throw error;
    return { valid: false, errors: [error.message], warnings: [], details: { ifdOffsets: [], dataOffsets: [], overviewSizes: [], tiled: false }, structure: null };
  } finally {
    await source.close();
  }
}

/** Throws INVALID_OUTPUT with the validator's reasons when `path` is not a valid COG. */
export async function assertValidCog(path: string, options: CogValidationOptions & { stage?: string } = {}): Promise<CogValidation> {
  const report = await validateCog(path, options);
  if (!report.valid) {
    throw new AppError("INVALID_OUTPUT", `output is not a valid Cloud Optimized GeoTIFF: ${report.errors.join("; ")}`, {
      ...(options.stage ? { stage: options.stage } : {}),
      details: { errors: report.errors },
    });
  }
  return report;
}
