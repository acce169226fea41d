import { AppError } from "../../../contracts/app-error.ts";
import type { LazItem } from "./point-formats.ts";

/** Bytes of a VLR header (reserved, user id, record id, length, description). */
const VLR_HEADER_SIZE = 54;
const COMPRESSOR_POINTWISE_CHUNKED = 2;
const COMPRESSOR_LAYERED_CHUNKED = 3;

/** The "laszip encoded" / 22204 VLR that tells readers how the point data is compressed.
 * Special-EVLR fields are -1 ("none"), as LASzip writes them. */
export function buildLaszipVlr(items: readonly LazItem[], chunkSize: number, layered: boolean): Uint8Array {
  const payload = 34 + 6 * items.length;
  const out = new Uint8Array(VLR_HEADER_SIZE + payload);
  const v = new DataView(out.buffer);
  out.set(new TextEncoder().encode("laszip encoded"), 2);
  v.setUint16(18, 22204, true);
  v.setUint16(20, payload, true);
  out.set(new TextEncoder().encode("vs3d LAZ writer"), 22);
  const p = VLR_HEADER_SIZE;
  v.setUint16(p, layered ? COMPRESSOR_LAYERED_CHUNKED : COMPRESSOR_POINTWISE_CHUNKED, true);
  v.setUint16(p + 2, 0, true); // coder: arithmetic
  v.setUint8(p + 4, 3); // LASzip version this stream is compatible with: 3.4 r3
  v.setUint8(p + 5, 4);
  v.setUint16(p + 6, 3, true);
  v.setUint32(p + 8, 0, true); // options
  v.setUint32(p + 12, chunkSize, true);
  v.setBigInt64(p + 16, -1n, true);
  v.setBigInt64(p + 24, -1n, true);
  v.setUint16(p + 32, items.length, true);
  items.forEach((item, i) => {
    v.setUint16(p + 34 + i * 6, item.type, true);
    v.setUint16(p + 36 + i * 6, item.size, true);
    v.setUint16(p + 38 + i * 6, item.version, true);
  });
  return out;
}

/** Turns an uncompressed LAS header block + VLRs into its LAZ form: the laszip VLR appended
 * after the last VLR (before any padding), VLR count and point data offset moved, and bit 7 of
 * the point format id set. `template.length` must equal its offset to point data. */
export function toLazHeader(template: Uint8Array, laszipVlr: Uint8Array): Uint8Array {
  if (template.length < 227) throw invalid(`header template is ${template.length} bytes, shorter than a LAS header`);
  const tv = new DataView(template.buffer, template.byteOffset, template.byteLength);
  if (tv.getUint32(0, true) !== 0x4653414c) throw invalid("header template does not start with LASF");
  const headerSize = tv.getUint16(94, true);
  const pointOffset = tv.getUint32(96, true);
  const vlrCount = tv.getUint32(100, true);
  if (pointOffset !== template.length) {
    throw invalid(`header template is ${template.length} bytes but its offset to point data is ${pointOffset}`);
  }
  let vlrEnd = headerSize;
  for (let i = 0; i < vlrCount; i++) {
    if (vlrEnd + VLR_HEADER_SIZE > template.length) throw invalid(`VLR ${i} runs past the header template`);
    vlrEnd += VLR_HEADER_SIZE + tv.getUint16(vlrEnd + 20, true);
  }
  if (vlrEnd > template.length) throw invalid("the VLRs run past the header template");
  const out = new Uint8Array(template.length + laszipVlr.length);
  out.set(template.subarray(0, vlrEnd), 0);
  out.set(laszipVlr, vlrEnd);
  out.set(template.subarray(vlrEnd), vlrEnd + laszipVlr.length);
  const ov = new DataView(out.buffer);
  ov.setUint32(96, out.length, true);
  ov.setUint32(100, vlrCount + 1, true);
  out[104] = (out[104]! & 0x3f) | 0x80;
  return out;
}

function invalid(message: string): AppError {
  return new AppError("INVALID_PARAMS", `LAZ writer: ${message}`, { stage: "laz-encode" });
}
