import { AppError } from "../../../contracts/app-error.ts";
import type { Vec3 } from "../point-chunk.ts";
import { readAscii, writeAscii } from "./las-vlr.ts";

/** The fields of a LAS public header block that matter to conversion (LAS 1.0–1.4). */
export interface LasHeader {
  versionMajor: number;
  versionMinor: number;
  fileSourceId: number;
  globalEncoding: number;
  systemIdentifier: string;
  generatingSoftware: string;
  creationDay: number;
  creationYear: number;
  headerSize: number;
  offsetToPointData: number;
  numberOfVlrs: number;
  /** Without the LAZ compression bits (6, 7). */
  pointFormat: number;
  compressed: boolean;
  recordLength: number;
  pointCount: number;
  pointsByReturn: number[];
  scale: Vec3;
  offset: Vec3;
  min: Vec3;
  max: Vec3;
  startOfFirstEvlr: number;
  numberOfEvlrs: number;
}

export const LAS_HEADER_SIZE = { "1.2": 227, "1.3": 235, "1.4": 375 } as const;
/** Bytes to read to be sure to hold any header version. */
export const LAS_MAX_HEADER_SIZE = 375;

export function parseLasHeader(bytes: Uint8Array): LasHeader {
  if (bytes.byteLength < 227 || readAscii(bytes, 0, 4) !== "LASF") {
    throw new AppError("INPUT_CORRUPT", "Not a LAS file: missing LASF signature or header shorter than 227 bytes");
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const versionMajor = v.getUint8(24);
  const versionMinor = v.getUint8(25);
  const headerSize = v.getUint16(94, true);
  if (versionMajor !== 1 || versionMinor > 4) {
    throw new AppError("UNSUPPORTED_FORMAT", `LAS version ${versionMajor}.${versionMinor} is not supported (1.0–1.4)`);
  }
  if (headerSize < 227 || (versionMinor >= 4 && (headerSize < 375 || bytes.byteLength < 375))) {
    throw new AppError("INPUT_CORRUPT", `LAS header size ${headerSize} is too small for version 1.${versionMinor}`);
  }
  const f64 = (o: number): number => v.getFloat64(o, true);
  const legacyByReturn = [0, 1, 2, 3, 4].map((i) => v.getUint32(111 + 4 * i, true));
  const extended = versionMinor >= 4;
  const rawFormat = v.getUint8(104);
  return {
    versionMajor,
    versionMinor,
    fileSourceId: v.getUint16(4, true),
    globalEncoding: v.getUint16(6, true),
    systemIdentifier: readAscii(bytes, 26, 32),
    generatingSoftware: readAscii(bytes, 58, 32),
    creationDay: v.getUint16(90, true),
    creationYear: v.getUint16(92, true),
    headerSize,
    offsetToPointData: v.getUint32(96, true),
    numberOfVlrs: v.getUint32(100, true),
    pointFormat: rawFormat & 0x3f,
    compressed: (rawFormat & 0xc0) !== 0,
    recordLength: v.getUint16(105, true),
    pointCount: extended ? Number(v.getBigUint64(247, true)) || v.getUint32(107, true) : v.getUint32(107, true),
    pointsByReturn: extended ? Array.from({ length: 15 }, (_, i) => Number(v.getBigUint64(255 + 8 * i, true))) : legacyByReturn,
    scale: [f64(131), f64(139), f64(147)],
    offset: [f64(155), f64(163), f64(171)],
    max: [f64(179), f64(195), f64(211)],
    min: [f64(187), f64(203), f64(219)],
    startOfFirstEvlr: extended ? Number(v.getBigUint64(235, true)) : 0,
    numberOfEvlrs: extended ? v.getUint32(243, true) : 0,
  };
}

/** Serialises a header block for version 1.2 (227 bytes) or 1.4 (375 bytes), legacy fields included. */
export function encodeLasHeader(h: LasHeader): Uint8Array {
  const size = h.versionMinor >= 4 ? 375 : 227;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  writeAscii(out, 0, 4, "LASF");
  v.setUint16(4, h.fileSourceId, true);
  v.setUint16(6, h.globalEncoding, true);
  v.setUint8(24, h.versionMajor);
  v.setUint8(25, h.versionMinor);
  writeAscii(out, 26, 32, h.systemIdentifier);
  writeAscii(out, 58, 32, h.generatingSoftware);
  v.setUint16(90, h.creationDay, true);
  v.setUint16(92, h.creationYear, true);
  v.setUint16(94, size, true);
  v.setUint32(96, h.offsetToPointData, true);
  v.setUint32(100, h.numberOfVlrs, true);
  v.setUint8(104, h.pointFormat);
  v.setUint16(105, h.recordLength, true);
  // Formats 6+ must leave the 32-bit legacy fields at 0; older formats fill them when they fit.
  const legacyOk = h.pointFormat < 6 && h.pointCount <= 0xffffffff;
  v.setUint32(107, legacyOk ? h.pointCount : 0, true);
  for (let i = 0; i < 5; i++) v.setUint32(111 + 4 * i, legacyOk ? (h.pointsByReturn[i] ?? 0) : 0, true);
  [...h.scale, ...h.offset].forEach((n, i) => v.setFloat64(131 + 8 * i, n, true));
  for (let axis = 0; axis < 3; axis++) {
    v.setFloat64(179 + 16 * axis, h.max[axis] ?? 0, true);
    v.setFloat64(187 + 16 * axis, h.min[axis] ?? 0, true);
  }
  if (size === 375) {
    v.setBigUint64(235, BigInt(h.startOfFirstEvlr), true);
    v.setUint32(243, h.numberOfEvlrs, true);
    v.setBigUint64(247, BigInt(h.pointCount), true);
    for (let i = 0; i < 15; i++) v.setBigUint64(255 + 8 * i, BigInt(h.pointsByReturn[i] ?? 0), true);
  }
  return out;
}
