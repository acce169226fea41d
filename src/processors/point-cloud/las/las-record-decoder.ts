import type { PointChunk, Vec3 } from "../point-chunk.ts";
import type { LasPointLayout } from "./las-point-formats.ts";

export interface RecordCodecOptions {
  layout: LasPointLayout;
  recordLength: number;
  scale: Vec3;
  offset: Vec3;
}

/** Raw LAS point records → a columnar chunk. Pure; `records` holds `count` whole records. */
export function decodeLasRecords(records: Uint8Array, count: number, o: RecordCodecOptions): PointChunk {
  const { layout, recordLength, scale, offset } = o;
  const v = new DataView(records.buffer, records.byteOffset, records.byteLength);
  const x = new Float64Array(count),
    y = new Float64Array(count),
    z = new Float64Array(count);
  const intensity = new Uint16Array(count);
  const classification = new Uint8Array(count),
    returnNumber = new Uint8Array(count),
    numberOfReturns = new Uint8Array(count);
  const flags = new Uint8Array(count),
    scannerChannel = new Uint8Array(count),
    userData = new Uint8Array(count);
  const scanAngle = new Float32Array(count),
    pointSourceId = new Uint16Array(count);
  const gpsTime = layout.gpsTime === undefined ? undefined : new Float64Array(count);
  const rgb = layout.rgb === undefined ? undefined : ([new Uint16Array(count), new Uint16Array(count), new Uint16Array(count)] as const);
  const nir = layout.nir === undefined ? undefined : new Uint16Array(count);
  const extraSize = recordLength - layout.size;
  const extraBytes = extraSize > 0 ? new Uint8Array(count * extraSize) : undefined;
  for (let i = 0; i < count; i++) {
    const p = i * recordLength;
    x[i] = v.getInt32(p, true) * scale[0] + offset[0];
    y[i] = v.getInt32(p + 4, true) * scale[1] + offset[1];
    z[i] = v.getInt32(p + 8, true) * scale[2] + offset[2];
    intensity[i] = v.getUint16(p + 12, true);
    const b14 = v.getUint8(p + 14),
      b15 = v.getUint8(p + 15);
    if (layout.extended) {
      returnNumber[i] = b14 & 0x0f;
      numberOfReturns[i] = b14 >> 4;
      flags[i] = (b15 & 0x0f) | ((b15 >> 2) & 0x30);
      scannerChannel[i] = (b15 >> 4) & 0x03;
      classification[i] = v.getUint8(p + 16);
      userData[i] = v.getUint8(p + 17);
      scanAngle[i] = v.getInt16(p + 18, true) * 0.006;
      pointSourceId[i] = v.getUint16(p + 20, true);
    } else {
      returnNumber[i] = b14 & 0x07;
      numberOfReturns[i] = (b14 >> 3) & 0x07;
      // Legacy flags live in the top bits of the classification byte; the scan bits in byte 14.
      flags[i] = ((b15 >> 5) & 0x07) | ((b14 >> 2) & 0x30);
      classification[i] = b15 & 0x1f;
      scanAngle[i] = v.getInt8(p + 16);
      userData[i] = v.getUint8(p + 17);
      pointSourceId[i] = v.getUint16(p + 18, true);
    }
    if (gpsTime) gpsTime[i] = v.getFloat64(p + layout.gpsTime!, true);
    if (rgb) {
      const c = p + layout.rgb!;
      rgb[0][i] = v.getUint16(c, true);
      rgb[1][i] = v.getUint16(c + 2, true);
      rgb[2][i] = v.getUint16(c + 4, true);
    }
    if (nir) nir[i] = v.getUint16(p + layout.nir!, true);
    if (extraBytes) extraBytes.set(records.subarray(p + layout.size, p + recordLength), i * extraSize);
  }
  const chunk: PointChunk = {
    count,
    x,
    y,
    z,
    intensity,
    classification,
    returnNumber,
    numberOfReturns,
    las: { flags, scannerChannel, scanAngle, userData, pointSourceId },
  };
  if (gpsTime) chunk.gpsTime = gpsTime;
  if (rgb) [chunk.red, chunk.green, chunk.blue] = rgb;
  if (nir) chunk.nir = nir;
  if (extraBytes) chunk.extraBytes = extraBytes;
  return chunk;
}
