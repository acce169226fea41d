/** A LAS (extended) variable length record. */
export interface LasVlr {
  userId: string;
  recordId: number;
  description: string;
  data: Uint8Array;
}

export const VLR_HEADER_SIZE = 54;
export const EVLR_HEADER_SIZE = 60;

export function readAscii(bytes: Uint8Array, offset: number, length: number): string {
  let end = offset;
  while (end < offset + length && bytes[end] !== 0) end++;
  return new TextDecoder("latin1").decode(bytes.subarray(offset, end));
}

export function writeAscii(bytes: Uint8Array, offset: number, length: number, text: string): void {
  for (let i = 0; i < length; i++) bytes[offset + i] = i < text.length ? text.charCodeAt(i) & 0x7f : 0;
}

/** Parses `count` VLRs (or EVLRs) from `bytes`; stops at the end of the buffer rather than reading past it. */
export function parseVlrs(bytes: Uint8Array, count: number, extended: boolean): { vlrs: LasVlr[]; complete: boolean } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = extended ? EVLR_HEADER_SIZE : VLR_HEADER_SIZE;
  const vlrs: LasVlr[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    if (pos + headerSize > bytes.byteLength) return { vlrs, complete: false };
    const length = extended ? Number(view.getBigUint64(pos + 20, true)) : view.getUint16(pos + 20, true);
    const dataStart = pos + headerSize;
    if (dataStart + length > bytes.byteLength) return { vlrs, complete: false };
    vlrs.push({
      userId: readAscii(bytes, pos + 2, 16),
      recordId: view.getUint16(pos + 18, true),
      description: readAscii(bytes, pos + headerSize - 32, 32),
      data: bytes.slice(dataStart, dataStart + length),
    });
    pos = dataStart + length;
  }
  return { vlrs, complete: true };
}

export function encodeVlr(vlr: LasVlr): Uint8Array {
  const out = new Uint8Array(VLR_HEADER_SIZE + vlr.data.byteLength);
  const view = new DataView(out.buffer);
  writeAscii(out, 2, 16, vlr.userId);
  view.setUint16(18, vlr.recordId, true);
  view.setUint16(20, vlr.data.byteLength, true);
  writeAscii(out, 22, 32, vlr.description);
  out.set(vlr.data, VLR_HEADER_SIZE);
  return out;
}

export const isCrsVlr = (v: LasVlr): boolean => v.userId === "LASF_Projection" && (v.recordId === 2112 || (v.recordId >= 34735 && v.recordId <= 34737));
