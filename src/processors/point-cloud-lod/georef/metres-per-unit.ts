import { execaSync } from "execa";
import type { PointCloudHeader } from "../../point-cloud/point-chunk.ts";
import { crsSourceFromFile, defineCrs, parseSrsIn } from "./crs-definition.ts";
import { proj4FromEpsg } from "./epsg-table.ts";

const gdalDefs = new Map<number, string | undefined>();

/** The built-in table, else `gdalsrsinfo -o proj4` once per code (≈ 0.1 s, cached). */
function lookup(epsg: number): string | undefined {
  const known = proj4FromEpsg(epsg);
  if (known) return known;
  if (!gdalDefs.has(epsg)) {
    let def: string | undefined;
    try {
      const out = execaSync("gdalsrsinfo", ["-o", "proj4", `EPSG:${epsg}`], { timeout: 15_000 })
        .stdout.trim()
        .replace(/^'|'$/g, "");
      def = out.startsWith("+proj=") ? out : undefined;
    } catch {
      def = undefined;
    }
    gdalDefs.set(epsg, def);
  }
  return gdalDefs.get(epsg);
}

/** Metres per horizontal coordinate unit of the cloud: metre 1, foot 0.3048, US survey foot
 * 1200/3937; 1 when the CRS is unknown or geographic. `srsIn` overrides the file's CRS (a malformed
 * one throws INVALID_PARAMS). EPSG codes outside the built-in table are asked of GDAL. */
export function metresPerUnit(header: PointCloudHeader, srsIn?: string): number {
  const source = srsIn ? parseSrsIn(srsIn) : crsSourceFromFile(header.crs);
  try {
    return defineCrs(source, lookup)?.horizontalUnit ?? source.horizontalUnit ?? 1;
  } catch {
    // The WKT does not parse: its EPSG code may still say.
    try {
      const { wkt: _wkt, ...rest } = source;
      return defineCrs(rest, lookup)?.horizontalUnit ?? source.horizontalUnit ?? 1;
    } catch {
      return source.horizontalUnit ?? 1;
    }
  }
}
