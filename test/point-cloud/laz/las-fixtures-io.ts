import { readFileSync } from "node:fs";
import { decodeWithLazPerf } from "./laz-perf-reader.ts";
import { lasHeader } from "./las-fixtures.ts";
import type { LazPointFormat } from "../../../src/processors/point-cloud/laz/point-formats.ts";

export interface RawPoints {
  format: LazPointFormat;
  recordLength: number;
  count: number;
  records: Uint8Array;
  /** Header block + VLRs an uncompressed LAS writer would produce for these records. */
  headerTemplate: Uint8Array;
}

/** Raw records of an uncompressed LAS file, with its own header + VLRs as the template. */
export function readLasRecords(path: string): RawPoints {
  const file = new Uint8Array(readFileSync(path));
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const offset = v.getUint32(96, true);
  const format = (file[104]! & 0x3f) as LazPointFormat;
  const recordLength = v.getUint16(105, true);
  const count = file[25]! >= 4 ? Number(v.getBigUint64(247, true)) : v.getUint32(107, true);
  const headerTemplate = file.slice(0, offset);
  const tv = new DataView(headerTemplate.buffer);
  if (file[25]! >= 4) {
    // EVLRs after the points are the LAS writer's business, not the point compressor's
    tv.setBigUint64(235, 0n, true);
    tv.setUint32(243, 0, true);
  }
  return { format, recordLength, count, records: file.slice(offset, offset + count * recordLength), headerTemplate };
}

/** Raw records of a LAZ file, decoded by laz-perf, with a fresh minimal header as template. */
export async function readLazRecords(path: string): Promise<RawPoints> {
  const decoded = await decodeWithLazPerf(new Uint8Array(readFileSync(path)));
  const format = decoded.format as LazPointFormat;
  return { ...decoded, format, headerTemplate: lasHeader(format, decoded.recordLength, decoded.count) };
}
