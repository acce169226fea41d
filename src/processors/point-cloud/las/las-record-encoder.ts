import { AppError } from "../../../contracts/app-error.ts";
import type { PointChunk, Vec3 } from "../point-chunk.ts";
import type { RecordCodecOptions } from "./las-record-decoder.ts";

/** Running facts the header needs once all records are written. */
export interface LasWriteStats {
  count: number;
  /** Index 0 = first return; 15 slots (LAS 1.2 uses the first 5). */
  byReturn: number[];
  min: Vec3;
  max: Vec3;
}

export function newLasWriteStats(): LasWriteStats {
  return { count: 0, byReturn: new Array<number>(15).fill(0), min: [Infinity, Infinity, Infinity], max: [-Infinity, -Infinity, -Infinity] };
}

const I32_MIN = -2147483648,
  I32_MAX = 2147483647;

function quantize(value: number, scale: number, offset: number, axis: string): number {
  const q = Math.round((value - offset) / scale);
  if (!(q >= I32_MIN && q <= I32_MAX)) {
    throw new AppError("INPUT_TOO_LARGE", `Coordinate ${axis}=${value} does not fit a LAS 32-bit integer with scale ${scale} and offset ${offset}`);
  }
  return q;
}

const clamp = (n: number, lo: number, hi: number): number => (n < lo ? lo : n > hi ? hi : n);

/** A columnar chunk → raw LAS point records; updates `stats` with the quantised (written) values. */
export function encodeLasRecords(chunk: PointChunk, o: RecordCodecOptions, stats: LasWriteStats): Uint8Array {
  const { layout, recordLength, scale, offset } = o;
  const n = chunk.count;
  const out = new Uint8Array(n * recordLength);
  const v = new DataView(out.buffer);
  const extraSize = recordLength - layout.size;
  const extraIn = chunk.extraBytes && chunk.extraBytes.byteLength === n * extraSize ? chunk.extraBytes : undefined;
  const maxReturn = layout.extended ? 15 : 7;
  const las = chunk.las;
  for (let i = 0; i < n; i++) {
    const p = i * recordLength;
    const X = quantize(chunk.x[i]!, scale[0], offset[0], "x");
    const Y = quantize(chunk.y[i]!, scale[1], offset[1], "y");
    const Z = quantize(chunk.z[i]!, scale[2], offset[2], "z");
    v.setInt32(p, X, true);
    v.setInt32(p + 4, Y, true);
    v.setInt32(p + 8, Z, true);
    const wx = X * scale[0] + offset[0],
      wy = Y * scale[1] + offset[1],
      wz = Z * scale[2] + offset[2];
    if (wx < stats.min[0]) stats.min[0] = wx;
    if (wx > stats.max[0]) stats.max[0] = wx;
    if (wy < stats.min[1]) stats.min[1] = wy;
    if (wy > stats.max[1]) stats.max[1] = wy;
    if (wz < stats.min[2]) stats.min[2] = wz;
    if (wz > stats.max[2]) stats.max[2] = wz;
    v.setUint16(p + 12, chunk.intensity?.[i] ?? 0, true);
    const ret = clamp(chunk.returnNumber?.[i] ?? 1, 0, maxReturn);
    const nret = clamp(chunk.numberOfReturns?.[i] ?? 1, 0, maxReturn);
    if (ret >= 1) stats.byReturn[ret - 1]!++;
    const flags = las?.flags[i] ?? 0;
    const cls = chunk.classification?.[i] ?? 0;
    const angle = las?.scanAngle[i] ?? 0;
    if (layout.extended) {
      v.setUint8(p + 14, ret | (nret << 4));
      v.setUint8(p + 15, (flags & 0x0f) | (((las?.scannerChannel[i] ?? 0) & 3) << 4) | ((flags & 0x30) << 2));
      v.setUint8(p + 16, cls);
      v.setUint8(p + 17, las?.userData[i] ?? 0);
      v.setInt16(p + 18, clamp(Math.round(angle / 0.006), -30000, 30000), true);
      v.setUint16(p + 20, las?.pointSourceId[i] ?? 0, true);
    } else {
      v.setUint8(p + 14, ret | (nret << 3) | ((flags & 0x30) << 2));
      // Classes above 31 do not fit the 5-bit legacy field: they become 0 ("never classified") rather than wrap.
      v.setUint8(p + 15, (cls > 31 ? 0 : cls) | ((flags & 0x07) << 5));
      v.setInt8(p + 16, clamp(Math.round(angle), -90, 90));
      v.setUint8(p + 17, las?.userData[i] ?? 0);
      v.setUint16(p + 18, las?.pointSourceId[i] ?? 0, true);
    }
    if (layout.gpsTime !== undefined) v.setFloat64(p + layout.gpsTime, chunk.gpsTime?.[i] ?? 0, true);
    if (layout.rgb !== undefined) {
      v.setUint16(p + layout.rgb, chunk.red?.[i] ?? 0, true);
      v.setUint16(p + layout.rgb + 2, chunk.green?.[i] ?? 0, true);
      v.setUint16(p + layout.rgb + 4, chunk.blue?.[i] ?? 0, true);
    }
    if (layout.nir !== undefined) v.setUint16(p + layout.nir, chunk.nir?.[i] ?? 0, true);
    if (extraIn) out.set(extraIn.subarray(i * extraSize, (i + 1) * extraSize), p + layout.size);
  }
  stats.count += n;
  return out;
}
