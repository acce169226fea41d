import { AppError } from "../../../contracts/app-error.ts";
import type { PointChunk, PointCloudHeader, PointCloudSink, Vec3 } from "../point-chunk.ts";
import { encodeLasHeader, LAS_HEADER_SIZE, type LasHeader } from "./las-header.ts";
import { lasPointLayout, pickPointFormat } from "./las-point-formats.ts";
import { openRecordSink, type RecordSink } from "./las-record-sink.ts";
import { encodeLasRecords, newLasWriteStats } from "./las-record-encoder.ts";
import { encodeVlr, type LasVlr } from "./las-vlr.ts";
import { wktFromEpsg } from "./las-wkt-from-epsg.ts";

export interface LasWriterOptions {
  /** Default: the source's LAS version family (1.0–1.3 → 1.2), else 1.2 (1.4 when NIR is present). */
  version?: "1.2" | "1.4";
  /** Default: the source's LAS format when the version allows it, else the smallest that keeps colour/GPS time/NIR. */
  pointFormat?: number;
  /** Write LAZ through the LAZ compressor. Default: false. */
  compress?: boolean;
  /** Cancels the GDAL lookup that turns an EPSG code into WKT. */
  signal?: AbortSignal;
}

/** Scale for sources that have none (text, PLY, E57): millimetres. */
export const DEFAULT_SCALE: Vec3 = [0.001, 0.001, 0.001];
const WKT_BIT = 1 << 4;
const GPS_TIME_TYPE_BIT = 1;

export function resolveLasTarget(header: PointCloudHeader, o: LasWriterOptions): { version: "1.2" | "1.4"; pointFormat: number } {
  const src = header.las;
  const version = o.version ?? (src ? (src.version === "1.4" ? "1.4" : "1.2") : header.attributes.nir ? "1.4" : "1.2");
  const allowed = version === "1.2" ? [0, 1, 2, 3] : [0, 1, 2, 3, 6, 7, 8];
  if (o.pointFormat !== undefined) {
    lasPointLayout(o.pointFormat);
    if (!allowed.includes(o.pointFormat)) {
      throw new AppError("INVALID_PARAMS", `point_format ${o.pointFormat} cannot be written as LAS ${version} (allowed: ${allowed.join(", ")})`);
    }
    return { version, pointFormat: o.pointFormat };
  }
  if (src && allowed.includes(src.pointFormat)) return { version, pointFormat: src.pointFormat };
  return { version, pointFormat: pickPointFormat(version, header.attributes) };
}

/** CRS VLRs for the target. Formats 6+ allow only WKT (GeoTIFF keys are for 0–5), so keys-only
 * sources get their EPSG code turned into WKT; if that fails the keys are kept rather than dropped. */
async function crsVlrs(header: PointCloudHeader, pointFormat: number, signal?: AbortSignal): Promise<LasVlr[]> {
  let { wkt } = header.crs;
  const { epsg, geoKeyVlrs = [] } = header.crs;
  if (pointFormat >= 6 && !wkt && epsg !== undefined) wkt = await wktFromEpsg(epsg, signal);
  const vlrs: LasVlr[] = [];
  if (pointFormat < 6 || !wkt) {
    for (const g of geoKeyVlrs) vlrs.push({ userId: "LASF_Projection", recordId: g.recordId, description: "GeoTIFF keys", data: g.data });
  }
  if (wkt) vlrs.push({ userId: "LASF_Projection", recordId: 2112, description: "OGC WKT", data: new TextEncoder().encode(`${wkt}\0`) });
  return vlrs;
}

/** Writes LAS/LAZ: header + VLRs as a template, records in chunks, the final header on close. */
export async function createLasSink(path: string, header: PointCloudHeader, options: LasWriterOptions = {}): Promise<PointCloudSink> {
  const { version, pointFormat } = resolveLasTarget(header, options);
  const layout = lasPointLayout(pointFormat);
  const extra = header.extraBytes;
  const recordLength = layout.size + (extra?.size ?? 0);
  const vlrs = await crsVlrs(header, pointFormat, options.signal);
  if (extra?.descriptor) vlrs.push({ userId: "LASF_Spec", recordId: 4, description: "Extra bytes", data: extra.descriptor });
  const vlrBytes = vlrs.map(encodeVlr);
  const headerSize = LAS_HEADER_SIZE[version];
  const now = new Date();
  const dayOfYear = Math.floor((now.getTime() - Date.UTC(now.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
  const wkt = version === "1.4" && (pointFormat >= 6 || vlrs.some((v) => v.recordId === 2112));
  const stats = newLasWriteStats();
  const lasHeader: LasHeader = {
    versionMajor: 1,
    versionMinor: version === "1.4" ? 4 : 2,
    fileSourceId: header.las?.fileSourceId ?? 0,
    globalEncoding: ((header.las?.globalEncoding ?? 0) & GPS_TIME_TYPE_BIT) | (wkt ? WKT_BIT : 0),
    systemIdentifier: header.las?.systemIdentifier || "OTHER",
    generatingSoftware: "Vision S3D Converter",
    creationDay: dayOfYear,
    creationYear: now.getUTCFullYear(),
    headerSize,
    offsetToPointData: headerSize + vlrBytes.reduce((n, b) => n + b.byteLength, 0),
    numberOfVlrs: vlrs.length,
    pointFormat,
    compressed: false,
    recordLength,
    pointCount: 0,
    pointsByReturn: [],
    scale: header.scale ?? DEFAULT_SCALE,
    offset: header.offset ?? [0, 0, 0],
    min: [0, 0, 0],
    max: [0, 0, 0],
    startOfFirstEvlr: 0,
    numberOfEvlrs: 0,
  };
  const block = (): Uint8Array => {
    const head = encodeLasHeader(lasHeader);
    const out = new Uint8Array(lasHeader.offsetToPointData);
    out.set(head, 0);
    let at = head.byteLength;
    for (const b of vlrBytes) {
      out.set(b, at);
      at += b.byteLength;
    }
    return out;
  };
  let sink: RecordSink | undefined;
  const ensureSink = async (first: PointChunk | undefined): Promise<RecordSink> => {
    if (sink) return sink;
    if (!header.offset) lasHeader.offset = chooseOffset(header, first);
    sink = await openRecordSink(path, { headerTemplate: block(), pointFormat, recordLength, compress: options.compress ?? false });
    return sink;
  };
  return {
    async write(chunk) {
      const s = await ensureSink(chunk);
      await s.write(encodeLasRecords(chunk, { layout, recordLength, scale: lasHeader.scale, offset: lasHeader.offset }, stats));
    },
    async close() {
      const s = await ensureSink(undefined);
      lasHeader.pointCount = stats.count;
      lasHeader.pointsByReturn = version === "1.4" ? stats.byReturn : stats.byReturn.slice(0, 5);
      if (stats.count > 0) [lasHeader.min, lasHeader.max] = [stats.min, stats.max];
      await s.close(block());
      return { points: stats.count };
    },
    abort: async () => sink?.abort(),
  };
}

/** Without a source offset, a round number near the data keeps 32-bit integers far from overflow. */
function chooseOffset(header: PointCloudHeader, first: PointChunk | undefined): Vec3 {
  const base = header.bounds?.min ?? (first && first.count > 0 ? [first.x[0]!, first.y[0]!, first.z[0]!] : [0, 0, 0]);
  return base.map((v) => (Number.isFinite(v) ? Math.floor(v / 1000) * 1000 : 0)) as Vec3;
}
