import type { PointCloudHeader } from "../../point-cloud/point-chunk.ts";
import { crsSourceFromFile, defineCrs, parseSrsIn } from "./crs-definition.ts";

/** Metres per horizontal coordinate unit of the cloud: metre 1, foot 0.3048, US survey foot
 * 1200/3937; 1 when the CRS is unknown, geographic, or not readable without GDAL. `srsIn` overrides
 * the file's CRS (a malformed one throws INVALID_PARAMS). */
export function metresPerUnit(header: PointCloudHeader, srsIn?: string): number {
  const source = srsIn ? parseSrsIn(srsIn) : crsSourceFromFile(header.crs);
  try {
    return defineCrs(source)?.horizontalUnit ?? source.horizontalUnit ?? 1;
  } catch {
    return source.horizontalUnit ?? 1;
  }
}
