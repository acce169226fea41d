import { AppError } from "../../../contracts/app-error.ts";
import { encodeLasHeader, LAS_HEADER_SIZE, type LasHeader } from "../../point-cloud/las/las-header.ts";
import { lasPointLayout, type LasPointLayout } from "../../point-cloud/las/las-point-formats.ts";
import { encodeVlr, type LasVlr } from "../../point-cloud/las/las-vlr.ts";
import { wktFromEpsg } from "../../point-cloud/las/las-wkt-from-epsg.ts";
import { DEFAULT_SCALE } from "../../point-cloud/las/las-writer.ts";
import type { Bounds, PointCloudHeader, Vec3 } from "../../point-cloud/point-chunk.ts";
import { COPC_INFO_RECORD_ID, COPC_USER_ID } from "./copc-info.ts";

const WKT_BIT = 1 << 4;
const GPS_TIME_TYPE_BIT = 1;
const I32_MAX = 2147483647;

/** COPC allows only formats 6–8: 8 when the source has NIR, 7 when it has colour, else 6. */
export function copcPointFormat(header: PointCloudHeader): 6 | 7 | 8 {
  return header.attributes.nir ? 8 : header.attributes.color ? 7 : 6;
}

export interface CopcRecordLayout {
  pointFormat: 6 | 7 | 8;
  layout: LasPointLayout;
  /** Base size + the source's extra bytes. */
  recordLength: number;
}

export function copcRecordLayout(header: PointCloudHeader): CopcRecordLayout {
  const pointFormat = copcPointFormat(header);
  const layout = lasPointLayout(pointFormat);
  return { pointFormat, layout, recordLength: layout.size + (header.extraBytes?.size ?? 0) };
}

/** Scale and offset for the file: the source's when every point of `bounds` quantises into a
 * 32-bit integer with them (so LAS → COPC keeps each coordinate's integer exactly); otherwise an
 * offset at a round number near the centre and, per axis, the source's scale (or 1 mm) made
 * coarser by powers of 10 until the extent fits. */
export function chooseScaleOffset(header: PointCloudHeader, bounds: Bounds): { scale: Vec3; offset: Vec3 } {
  const finite = [...bounds.min, ...bounds.max].every(Number.isFinite);
  const fits = (scale: Vec3, offset: Vec3): boolean => [0, 1, 2].every((a) => [bounds.min[a]!, bounds.max[a]!].every((v) => Math.abs(Math.round((v - offset[a]!) / scale[a]!)) <= I32_MAX));
  if (header.scale && header.offset && header.scale.every((s) => s > 0 && Number.isFinite(s)) && (!finite || fits(header.scale, header.offset))) {
    return { scale: header.scale, offset: header.offset };
  }
  const baseScale = header.scale?.every((s) => s > 0 && Number.isFinite(s)) ? header.scale : DEFAULT_SCALE;
  if (!finite) return { scale: baseScale, offset: header.offset ?? [0, 0, 0] };
  const offset = [0, 1, 2].map((a) => Math.round((bounds.min[a]! + bounds.max[a]!) / 2 / 1000) * 1000) as Vec3;
  const scale = [0, 1, 2].map((a) => {
    let s = baseScale[a]!;
    const reach = Math.max(Math.abs(bounds.min[a]! - offset[a]!), Math.abs(bounds.max[a]! - offset[a]!));
    while (reach / s > I32_MAX * 0.999) s *= 10;
    return s;
  }) as Vec3;
  return { scale, offset };
}

/** CRS VLRs for formats 6–8: OGC WKT only (GeoTIFF keys are not allowed), from the source's WKT
 * or, when it has only an EPSG code, GDAL's WKT for it. None when the source has no CRS. */
export async function copcCrsVlrs(header: PointCloudHeader, signal?: AbortSignal): Promise<LasVlr[]> {
  const wkt = header.crs.wkt ?? (header.crs.epsg !== undefined ? await wktFromEpsg(header.crs.epsg, signal) : undefined);
  return wkt ? [{ userId: "LASF_Projection", recordId: 2112, description: "OGC WKT", data: new TextEncoder().encode(`${wkt}\0`) }] : [];
}

export interface CopcHeaderFields {
  header: PointCloudHeader;
  records: CopcRecordLayout;
  scale: Vec3;
  offset: Vec3;
  pointCount: number;
  byReturn: number[];
  min: Vec3;
  max: Vec3;
  startOfFirstEvlr: number;
  numberOfEvlrs: number;
  /** File creation day/year. */
  created: Date;
}

/** The uncompressed LAS 1.4 header block + VLRs: the COPC info first (right after the 375-byte
 * header), then `vlrs` (CRS, extra-bytes descriptor). The LAZ layer appends the laszip VLR. */
export function encodeCopcHeaderBlock(f: CopcHeaderFields, info: Uint8Array, vlrs: readonly LasVlr[]): Uint8Array {
  const all: LasVlr[] = [{ userId: COPC_USER_ID, recordId: COPC_INFO_RECORD_ID, description: "COPC info VLR", data: info }, ...vlrs];
  const vlrBytes = all.map(encodeVlr);
  const headerSize = LAS_HEADER_SIZE["1.4"];
  const { created } = f;
  const las: LasHeader = {
    versionMajor: 1,
    versionMinor: 4,
    fileSourceId: f.header.las?.fileSourceId ?? 0,
    // LAS 1.4 formats 6–10 require the WKT bit, CRS or not.
    globalEncoding: ((f.header.las?.globalEncoding ?? 0) & GPS_TIME_TYPE_BIT) | WKT_BIT,
    systemIdentifier: f.header.las?.systemIdentifier || "OTHER",
    generatingSoftware: "Vision S3D Converter",
    creationDay: Math.floor((created.getTime() - Date.UTC(created.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
    creationYear: created.getUTCFullYear(),
    headerSize,
    offsetToPointData: headerSize + vlrBytes.reduce((n, b) => n + b.byteLength, 0),
    numberOfVlrs: all.length,
    pointFormat: f.records.pointFormat,
    compressed: false,
    recordLength: f.records.recordLength,
    pointCount: f.pointCount,
    pointsByReturn: f.byReturn,
    scale: f.scale,
    offset: f.offset,
    min: f.min,
    max: f.max,
    startOfFirstEvlr: f.startOfFirstEvlr,
    numberOfEvlrs: f.numberOfEvlrs,
  };
  if (las.offsetToPointData > 0xffffffff) throw new AppError("INPUT_TOO_LARGE", "COPC writer: the VLRs exceed LAS's 4 GiB header limit");
  const out = new Uint8Array(las.offsetToPointData);
  out.set(encodeLasHeader(las), 0);
  let at = headerSize;
  for (const b of vlrBytes) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
}
