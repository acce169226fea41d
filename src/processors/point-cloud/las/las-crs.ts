import type { Crs } from "../point-chunk.ts";
import type { LasVlr } from "./las-vlr.ts";

const PROJECTED_CS_KEY = 3072;
const GEOGRAPHIC_TYPE_KEY = 2048;

/** EPSG code from a GeoKeyDirectory (sKeyEntry list of 4 × u16), projected CS preferred. */
export function epsgFromGeoKeys(data: Uint8Array): number | undefined {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.byteLength < 8) return undefined;
  const keys = v.getUint16(6, true);
  let geographic: number | undefined;
  for (let k = 0; k < keys && 8 + k * 8 + 8 <= data.byteLength; k++) {
    const at = 8 + k * 8;
    const id = v.getUint16(at, true),
      location = v.getUint16(at + 2, true),
      value = v.getUint16(at + 6, true);
    // location 0 means the value is inline; user-defined (32767) is not an EPSG code.
    if (location !== 0 || value === 0 || value === 32767) continue;
    if (id === PROJECTED_CS_KEY) return value;
    if (id === GEOGRAPHIC_TYPE_KEY) geographic = value;
  }
  return geographic;
}

/** CRS as found in LAS (E)VLRs: OGC WKT (2112) and/or GeoTIFF keys (34735–34737). */
export function crsFromVlrs(vlrs: readonly LasVlr[]): Crs {
  const crs: Crs = {};
  for (const vlr of vlrs) {
    if (vlr.userId !== "LASF_Projection") continue;
    if (vlr.recordId === 2112) {
      const text = new TextDecoder().decode(vlr.data).replace(/\0+$/, "");
      if (text) crs.wkt = text;
    } else if (vlr.recordId >= 34735 && vlr.recordId <= 34737) {
      (crs.geoKeyVlrs ??= []).push({ recordId: vlr.recordId, data: vlr.data });
      if (vlr.recordId === 34735) {
        const epsg = epsgFromGeoKeys(vlr.data);
        if (epsg !== undefined) crs.epsg = epsg;
      }
    }
  }
  if (crs.epsg === undefined && crs.wkt) {
    const epsg = epsgFromWkt(crs.wkt);
    if (epsg !== undefined) crs.epsg = epsg;
  }
  return crs;
}

/** The EPSG code of the whole CRS: only an AUTHORITY/ID directly inside the outermost bracket counts
 * (inner ones name the datum, the unit, …). */
export function epsgFromWkt(wkt: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < wkt.length; i++) {
    const ch = wkt[i];
    if (ch === "[" || ch === "(") depth++;
    else if (ch === "]" || ch === ")") depth--;
    else if (depth === 1 && (ch === "A" || ch === "I")) {
      const m = /^(?:AUTHORITY|ID)\[\s*"EPSG"\s*,\s*"?(\d+)"?/i.exec(wkt.slice(i, i + 40));
      if (m?.[1]) return Number(m[1]);
    }
  }
  return undefined;
}
