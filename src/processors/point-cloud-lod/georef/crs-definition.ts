import proj4 from "proj4";
import { AppError } from "../../../contracts/app-error.ts";
import type { Crs } from "../../point-cloud/point-chunk.ts";
import { proj4FromEpsg, VERTICAL_UNITS } from "./epsg-table.ts";
import { linearUnitFromEpsgUnit, linearUnitFromName, linearUnitFromProj4 } from "./linear-units.ts";
import { children, findNode, parseWkt, type WktNode } from "./wkt-tree.ts";

/** A CRS proj4 can project with, and the units of the coordinates it gives. */
export interface CrsDefinition {
  /** What proj4 is given for the horizontal CRS: a WKT1/WKT2 text or a proj4 string. */
  def: string;
  /** For results and logs: "EPSG:2994", or the WKT's name. */
  label: string;
  geographic: boolean;
  /** Metres per horizontal unit; undefined for a geographic CRS (degrees). */
  horizontalUnit: number | undefined;
  /** Metres per unit of z: the vertical CRS's unit, else the horizontal one, else metres. */
  verticalUnit: number;
}

/** What the file or `srs_in` says, before anything is looked up. */
export interface CrsSource {
  wkt?: string;
  epsg?: number;
  proj4?: string;
  verticalEpsg?: number;
  /** Metres per unit of z stated by GeoTIFF keys (VerticalUnitsGeoKey). */
  verticalUnit?: number;
  /** Metres per horizontal unit stated by GeoTIFF keys (ProjLinearUnitsGeoKey). */
  horizontalUnit?: number;
}

const HORIZONTAL = ["PROJCS", "GEOGCS", "PROJCRS", "GEOGCRS", "GEODCRS", "GEODETICCRS", "GEOGRAPHICCRS", "PROJECTEDCRS"];
const VERTICAL = ["VERT_CS", "VERTCS", "VERTCRS", "VERTICALCRS"];
const UNITS = ["UNIT", "LENGTHUNIT"];

/** `srs_in` as users write it: "EPSG:2994", "EPSG:2994+6360", "2994", a proj4 string or WKT. */
export function parseSrsIn(srsIn: string): CrsSource {
  const s = srsIn.trim();
  const epsg = /^(?:EPSG:)?(\d{4,6})(?:\+(\d{4,6}))?$/i.exec(s);
  if (epsg) {
    const out: CrsSource = { epsg: Number(epsg[1]) };
    if (epsg[2]) out.verticalEpsg = Number(epsg[2]);
    return out;
  }
  if (s.startsWith("+")) return { proj4: s };
  if (parseWkt(s)) return { wkt: s };
  throw new AppError("INVALID_PARAMS", `srs_in '${s.slice(0, 80)}' is not an EPSG code ("EPSG:2994"), a proj4 string or WKT`);
}

/** The file's CRS (LAS WKT VLR, or GeoTIFF keys' EPSG code and unit keys). */
export function crsSourceFromFile(crs: Crs): CrsSource {
  const out: CrsSource = {};
  if (crs.wkt) out.wkt = crs.wkt;
  if (crs.epsg !== undefined) out.epsg = crs.epsg;
  const dir = crs.geoKeyVlrs?.find((v) => v.recordId === 34735)?.data;
  if (dir) {
    const keys = geoKeyShorts(dir);
    const vUnit = keys.get(4099),
      vCs = keys.get(4096),
      hUnit = keys.get(3076);
    if (vUnit !== undefined) {
      const unit = linearUnitFromEpsgUnit(vUnit);
      if (unit !== undefined) out.verticalUnit = unit;
    }
    if (vCs !== undefined && VERTICAL_UNITS[vCs] !== undefined) out.verticalEpsg = vCs;
    if (hUnit !== undefined) {
      const unit = linearUnitFromEpsgUnit(hUnit);
      if (unit !== undefined) out.horizontalUnit = unit;
    }
  }
  return out;
}

/** Inline (location 0) short values of a GeoKeyDirectory. */
function geoKeyShorts(data: Uint8Array): Map<number, number> {
  const map = new Map<number, number>();
  if (data.byteLength < 8) return map;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = v.getUint16(6, true);
  for (let k = 0; k < count && 16 + k * 8 <= data.byteLength; k++) {
    const at = 8 + k * 8;
    if (v.getUint16(at + 2, true) === 0) map.set(v.getUint16(at, true), v.getUint16(at + 6, true));
  }
  return map;
}

/** Resolves a CRS source without leaving the process (WKT, a proj4 string, or an EPSG code from
 * the table). Undefined when nothing is stated or the code is not in the table; throws
 * `Error` when proj4 cannot read what is stated. */
export function defineCrs(source: CrsSource, lookup: (epsg: number) => string | undefined = proj4FromEpsg): CrsDefinition | undefined {
  if (source.wkt) return fromWkt(source.wkt, source);
  if (source.proj4) return fromProj4(source.proj4, source.proj4, source);
  if (source.epsg !== undefined) {
    const def = lookup(source.epsg);
    return def === undefined ? undefined : fromProj4(def, `EPSG:${source.epsg}`, source);
  }
  return undefined;
}

function verticalOf(source: CrsSource, horizontal: number | undefined): number {
  if (source.verticalEpsg !== undefined && VERTICAL_UNITS[source.verticalEpsg] !== undefined) return VERTICAL_UNITS[source.verticalEpsg]!;
  return source.verticalUnit ?? horizontal ?? 1;
}

function fromProj4(def: string, label: string, source: CrsSource): CrsDefinition {
  const p = proj4.Proj(def) as unknown as { projName?: string };
  if (!p.projName) throw new Error(`proj4 cannot read '${def}'`);
  const horizontalUnit = linearUnitFromProj4(def);
  return { def, label, geographic: horizontalUnit === undefined, horizontalUnit, verticalUnit: verticalOf(source, horizontalUnit) };
}

function fromWkt(wkt: string, source: CrsSource): CrsDefinition {
  const tree = parseWkt(wkt);
  if (!tree) throw new Error("the CRS WKT is not well-formed");
  const horizontal = HORIZONTAL.includes(tree.keyword) ? tree : findNode(tree, ...HORIZONTAL);
  if (!horizontal) throw new Error(`the CRS WKT has no horizontal CRS (${tree.keyword})`);
  const geographic = !/^PROJ/.test(horizontal.keyword);
  const horizontalUnit = geographic ? undefined : (unitOf(horizontal) ?? source.horizontalUnit);
  const vertical = findNode(tree, ...VERTICAL);
  const vUnit = vertical ? unitOf(vertical) : undefined;
  const p = proj4.Proj(horizontal.text) as unknown as { projName?: string };
  if (!p.projName) throw new Error("proj4 cannot read the CRS WKT");
  const name = typeof tree.args[0] === "string" ? tree.args[0] : tree.keyword;
  return {
    def: horizontal.text,
    label: name,
    geographic,
    horizontalUnit,
    verticalUnit: vUnit ?? verticalOf(source, horizontalUnit),
  };
}

/** The linear unit stated directly in a CRS node (or in its CS/AXIS children, WKT2 style). */
function unitOf(n: WktNode): number | undefined {
  const direct = [...children(n, ...UNITS), ...children(n, "CS", "AXIS").flatMap((a) => children(a, ...UNITS))];
  for (const u of direct) {
    const unit = linearUnitFromName(typeof u.args[0] === "string" ? u.args[0] : "", typeof u.args[1] === "number" ? u.args[1] : undefined);
    if (unit !== undefined) return unit;
  }
  return undefined;
}
