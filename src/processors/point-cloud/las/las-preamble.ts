import type { FileHandle } from "node:fs/promises";
import { AppError } from "../../../contracts/app-error.ts";
import { readAt } from "../../shared/read-bytes.ts";
import { emptyHeader, type PointCloudHeader } from "../point-chunk.ts";
import { crsFromVlrs } from "./las-crs.ts";
import { LAS_MAX_HEADER_SIZE, parseLasHeader, type LasHeader } from "./las-header.ts";
import { lasPointLayout, type LasPointLayout } from "./las-point-formats.ts";
import { EVLR_HEADER_SIZE, parseVlrs, type LasVlr } from "./las-vlr.ts";

/** Everything before the point records, checked against the file's real size. */
export interface LasPreamble {
  las: LasHeader;
  layout: LasPointLayout;
  vlrs: LasVlr[];
  evlrs: LasVlr[];
  header: PointCloudHeader;
  fileSize: number;
}

export async function readLasPreamble(fh: FileHandle): Promise<LasPreamble> {
  const fileSize = (await fh.stat()).size;
  const las = parseLasHeader(await readAt(fh, 0, Math.min(LAS_MAX_HEADER_SIZE, fileSize)));
  const layout = lasPointLayout(las.pointFormat);
  if (las.recordLength < layout.size) {
    throw new AppError("INPUT_CORRUPT", `LAS record length ${las.recordLength} is shorter than format ${las.pointFormat}'s ${layout.size} bytes`);
  }
  if (las.offsetToPointData > fileSize || las.offsetToPointData < las.headerSize) {
    throw new AppError("INPUT_CORRUPT", `LAS offset to point data (${las.offsetToPointData}) lies outside the file (${fileSize} bytes)`);
  }
  const vlrBytes = await readAt(fh, las.headerSize, las.offsetToPointData - las.headerSize);
  const { vlrs, complete } = parseVlrs(vlrBytes, las.numberOfVlrs, false);
  if (!complete) throw new AppError("INPUT_CORRUPT", `LAS header announces ${las.numberOfVlrs} VLRs but they overrun the offset to point data`);
  let evlrs: LasVlr[] = [];
  if (las.numberOfEvlrs > 0 && las.startOfFirstEvlr > 0) {
    if (las.startOfFirstEvlr + EVLR_HEADER_SIZE > fileSize) throw new AppError("INPUT_CORRUPT", "LAS start of first EVLR lies beyond the end of the file");
    // EVLRs can be large (waveforms); only CRS-sized ones are worth reading, capped at 16 MiB.
    const evlrBytes = await readAt(fh, las.startOfFirstEvlr, Math.min(fileSize - las.startOfFirstEvlr, 16 << 20));
    evlrs = parseVlrs(evlrBytes, las.numberOfEvlrs, true).vlrs;
  }
  if (!las.compressed) {
    const needed = las.offsetToPointData + las.pointCount * las.recordLength;
    if (needed > fileSize) {
      throw new AppError("INPUT_CORRUPT", `LAS header announces ${las.pointCount} points (${needed} bytes) but the file has only ${fileSize} bytes: truncated or lying header`, {
        details: { pointCount: las.pointCount, fileSize, expectedSize: needed },
      });
    }
  }
  const isCopc = vlrs.some((v) => v.userId === "copc" && v.recordId === 1);
  const header = emptyHeader(isCopc ? "copc" : las.compressed ? "laz" : "las");
  header.pointCount = las.pointCount;
  header.bounds = { min: las.min, max: las.max };
  header.scale = las.scale;
  header.offset = las.offset;
  header.crs = crsFromVlrs([...vlrs, ...evlrs]);
  header.attributes = {
    color: layout.rgb !== undefined,
    intensity: true,
    gpsTime: layout.gpsTime !== undefined,
    nir: layout.nir !== undefined,
    classification: true,
  };
  header.las = {
    version: `${las.versionMajor}.${las.versionMinor}`,
    pointFormat: las.pointFormat,
    globalEncoding: las.globalEncoding,
    fileSourceId: las.fileSourceId,
    systemIdentifier: las.systemIdentifier,
  };
  if (las.recordLength > layout.size) {
    const descriptor = vlrs.find((v) => v.userId === "LASF_Spec" && v.recordId === 4)?.data;
    header.extraBytes = { size: las.recordLength - layout.size, descriptor };
  }
  return { las, layout, vlrs, evlrs, header, fileSize };
}
