import { AppError } from "../../contracts/app-error.ts";
import { runGdal } from "./gdal-runner.ts";

/** Refuses an SRS that PROJ does not know (`EPSG:999999`, `+proj=foo`) as INVALID_PARAMS, before any
 * long stage: gdalwarp would fail on it later with a tool error that blames nobody. The string was
 * already held to SrsString's shapes, so gdalsrsinfo never reads a file for it. */
export async function assertKnownSrs(srs: string, where: { signal: AbortSignal; stage: string }): Promise<void> {
  try {
    await runGdal("gdalsrsinfo", ["-o", "proj4", srs], where);
  } catch (error) {
    if (where.signal.aborted || !(error instanceof AppError) || error.code !== "TOOL_FAILED") throw error;
    throw new AppError("INVALID_PARAMS", `target_srs ${JSON.stringify(srs.length > 80 ? `${srs.slice(0, 80)}…` : srs)} is not a coordinate system PROJ knows`, { stage: where.stage, cause: error });
  }
}
