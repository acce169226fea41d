import type { Bounds } from "../../point-cloud/point-chunk.ts";

/** The COPC `info` VLR (user "copc", record 1): 160 bytes, the file's first VLR (offset 375). */
export const COPC_INFO_SIZE = 160;
export const COPC_USER_ID = "copc";
export const COPC_INFO_RECORD_ID = 1;
export const COPC_HIERARCHY_RECORD_ID = 1000;

export interface CopcInfo {
  /** Centre of the root cube, in real (unscaled) coordinates. */
  center: [number, number, number];
  /** Distance from the centre to any face of the root cube. */
  halfsize: number;
  /** Point spacing at the root node; readers halve it at each level. */
  spacing: number;
  /** Absolute file offset and byte size of the root hierarchy page. */
  rootHierOffset: number;
  rootHierSize: number;
  gpsTimeMin: number;
  gpsTimeMax: number;
}

/** The info of a root cube: its centre and half size (a cube's three half extents are equal; the
 * largest is taken so rounding in the builder never shrinks the cube). */
export function cubeCenterHalfsize(cube: Bounds): { center: [number, number, number]; halfsize: number } {
  const center: [number, number, number] = [0, 1, 2].map((a) => (cube.min[a]! + cube.max[a]!) / 2) as [number, number, number];
  const halfsize = Math.max(...[0, 1, 2].map((a) => (cube.max[a]! - cube.min[a]!) / 2));
  return { center, halfsize };
}

export function encodeCopcInfo(info: CopcInfo): Uint8Array {
  const out = new Uint8Array(COPC_INFO_SIZE); // the 11 reserved u64 stay 0
  const v = new DataView(out.buffer);
  info.center.forEach((c, i) => v.setFloat64(8 * i, c, true));
  v.setFloat64(24, info.halfsize, true);
  v.setFloat64(32, info.spacing, true);
  v.setBigUint64(40, BigInt(info.rootHierOffset), true);
  v.setBigUint64(48, BigInt(info.rootHierSize), true);
  v.setFloat64(56, info.gpsTimeMin, true);
  v.setFloat64(64, info.gpsTimeMax, true);
  return out;
}

export function parseCopcInfo(data: Uint8Array): CopcInfo {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    center: [v.getFloat64(0, true), v.getFloat64(8, true), v.getFloat64(16, true)],
    halfsize: v.getFloat64(24, true),
    spacing: v.getFloat64(32, true),
    rootHierOffset: Number(v.getBigUint64(40, true)),
    rootHierSize: Number(v.getBigUint64(48, true)),
    gpsTimeMin: v.getFloat64(56, true),
    gpsTimeMax: v.getFloat64(64, true),
  };
}
