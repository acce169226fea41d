import type { LazPointFormat } from "../../../src/processors/point-cloud/laz/point-formats.ts";

/** A minimal uncompressed LAS header (1.2 for formats 0–3, 1.4 for 6–8) with no VLRs, as the
 * LAS writer would hand it to the LAZ writer. */
export function lasHeader(format: LazPointFormat, recordLength: number, count: number): Uint8Array {
  const layered = format >= 6;
  const size = layered ? 375 : 227;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out.set([0x4c, 0x41, 0x53, 0x46], 0);
  out[24] = 1;
  out[25] = layered ? 4 : 2;
  v.setUint16(94, size, true);
  v.setUint32(96, size, true);
  v.setUint32(100, 0, true);
  out[104] = format;
  v.setUint16(105, recordLength, true);
  v.setUint32(107, layered ? 0 : count, true);
  for (let i = 0; i < 3; i++) v.setFloat64(131 + i * 8, 0.01, true);
  if (layered) v.setBigUint64(247, BigInt(count), true);
  return out;
}

/** Seeded PRNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
