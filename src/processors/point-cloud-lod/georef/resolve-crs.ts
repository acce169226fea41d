import { execa } from "execa";
import { AppError } from "../../../contracts/app-error.ts";
import type { PointCloudHeader } from "../../point-cloud/point-chunk.ts";
import { crsSourceFromFile, defineCrs, parseSrsIn, type CrsDefinition } from "./crs-definition.ts";
import { proj4FromEpsg } from "./epsg-table.ts";

export const RESOLVE_CRS_DEFAULTS = {
  /** How long GDAL may take to define an EPSG code the built-in table does not know. Default: 15 000 ms. */
  gdalTimeoutMs: 15_000,
};

export type ResolvedCrs =
  | { crs: CrsDefinition; from: "srs_in" | "file" }
  /** No CRS, or the file's CRS could not be read (`warning` says why): the cloud stays unplaced. */
  | { crs: undefined; warning?: string };

/** The CRS to georeference with: `srsIn` overrides the file's. A bad `srsIn` is INVALID_PARAMS; a
 * file CRS proj4 cannot read (or an EPSG code neither the table nor GDAL knows) leaves the cloud
 * unplaced with a warning, since the points themselves are fine. */
export async function resolveCrs(header: PointCloudHeader, srsIn: string | undefined, signal?: AbortSignal, options = RESOLVE_CRS_DEFAULTS): Promise<ResolvedCrs> {
  const lookup = async (epsg: number): Promise<string | undefined> => proj4FromEpsg(epsg) ?? (await gdalProj4(epsg, signal, options.gdalTimeoutMs));
  if (srsIn !== undefined && srsIn.trim() !== "") {
    const source = parseSrsIn(srsIn);
    const known = source.epsg !== undefined ? await lookup(source.epsg) : undefined;
    try {
      const crs = defineCrs(source, () => known);
      if (crs) return { crs, from: "srs_in" };
    } catch (e) {
      throw new AppError("INVALID_PARAMS", `srs_in cannot be read by proj4: ${(e as Error).message}`);
    }
    throw new AppError("INVALID_PARAMS", `srs_in EPSG:${source.epsg} is not a CRS this node knows (built-in table or GDAL)`);
  }
  const source = crsSourceFromFile(header.crs);
  if (!source.wkt && source.epsg === undefined) return { crs: undefined };
  // Prefer the file's WKT; when proj4 cannot read it, its EPSG code may still define it.
  let warning: string | undefined;
  try {
    const crs = defineCrs(source, () => undefined);
    if (crs) return { crs, from: "file" };
  } catch (e) {
    warning = `the file's CRS WKT cannot be read by proj4 (${(e as Error).message})`;
  }
  if (source.epsg !== undefined) {
    const def = await lookup(source.epsg);
    if (def) {
      try {
        const { wkt: _wkt, ...rest } = source;
        const crs = defineCrs(rest, () => def);
        if (crs) return { crs, from: "file" };
      } catch (e) {
        warning = `EPSG:${source.epsg} cannot be read by proj4 (${(e as Error).message})`;
      }
    } else warning ??= `EPSG:${source.epsg} is not a CRS this node knows (built-in table or GDAL)`;
  }
  return { crs: undefined, warning: warning ?? "the file's CRS cannot be read" };
}

/** `gdalsrsinfo -o proj4 EPSG:n`; undefined when GDAL is missing or does not know the code. */
async function gdalProj4(epsg: number, signal: AbortSignal | undefined, timeout: number): Promise<string | undefined> {
  try {
    const { stdout } = await execa("gdalsrsinfo", ["-o", "proj4", `EPSG:${epsg}`], { timeout, ...(signal ? { cancelSignal: signal } : {}) });
    const def = stdout.trim().replace(/^'|'$/g, "");
    return def.startsWith("+proj=") ? def : undefined;
  } catch {
    return undefined;
  }
}
