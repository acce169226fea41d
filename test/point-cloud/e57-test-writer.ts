import { crc32c } from "../../src/processors/point-cloud/e57/crc32c.ts";

/** A tiny E57 writer for tests: one scan, one data packet, fields as Float (double) or bit-packed
 * Integer, real pages with CRC-32C — so the reader meets spherical scans, poses and odd bit widths. */
export interface TestE57Field {
  name: string;
  values: number[];
  /** Integer range; absent = Float double. */
  integer?: [number, number];
}

const physical = (logical: number): number => Math.floor(logical / 1020) * 1024 + (logical % 1020);

function packBits(values: number[], min: number, bits: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((values.length * bits) / 8));
  let p = 0;
  for (const v of values) {
    const raw = v - min;
    for (let b = 0; b < bits; b++, p++) if (Math.floor(raw / 2 ** b) % 2) out[p >> 3]! |= 1 << (p & 7);
  }
  return out;
}

export function buildTestE57(fields: TestE57Field[], pose?: { rotation: [number, number, number, number]; translation: [number, number, number] }): Uint8Array {
  const count = fields[0]!.values.length;
  const streams = fields.map((f) => {
    if (!f.integer) return new Uint8Array(new Float64Array(f.values).buffer);
    const [min, max] = f.integer;
    return packBits(f.values, min, Math.ceil(Math.log2(max - min + 1)));
  });
  const packetBody = 6 + 2 * streams.length + streams.reduce((n, s) => n + s.byteLength, 0);
  const packetLength = Math.ceil(packetBody / 4) * 4;
  const packet = new Uint8Array(packetLength);
  const pv = new DataView(packet.buffer);
  pv.setUint8(0, 1);
  pv.setUint16(2, packetLength - 1, true);
  pv.setUint16(4, streams.length, true);
  let at = 6 + 2 * streams.length;
  streams.forEach((s, i) => {
    pv.setUint16(6 + 2 * i, s.byteLength, true);
    packet.set(s, at);
    at += s.byteLength;
  });
  const sectionAt = 48,
    dataAt = 80;
  const proto = fields.map((f) => (f.integer ? `<${f.name} type="Integer" minimum="${f.integer[0]}" maximum="${f.integer[1]}"/>` : `<${f.name} type="Float"/>`)).join("");
  const poseXml = pose
    ? `<pose type="Structure"><rotation type="Structure"><w type="Float">${pose.rotation[0]}</w><x type="Float">${pose.rotation[1]}</x><y type="Float">${pose.rotation[2]}</y><z type="Float">${pose.rotation[3]}</z></rotation><translation type="Structure"><x type="Float">${pose.translation[0]}</x><y type="Float">${pose.translation[1]}</y><z type="Float">${pose.translation[2]}</z></translation></pose>`
    : "";
  const xml = new TextEncoder().encode(
    `<?xml version="1.0" encoding="UTF-8"?><e57Root type="Structure" xmlns="http://www.astm.org/COMMIT/E57/2010-e57-v1.0"><data3D type="Vector"><vectorChild type="Structure">${poseXml}<points type="CompressedVector" fileOffset="${physical(sectionAt)}" recordCount="${count}"><prototype type="Structure">${proto}</prototype><codecs type="Vector"/></points></vectorChild></data3D></e57Root>`,
  );
  const xmlAt = dataAt + packetLength;
  const logicalLength = Math.ceil((xmlAt + xml.byteLength) / 1020) * 1020;
  const logical = new Uint8Array(logicalLength);
  const lv = new DataView(logical.buffer);
  logical.set(new TextEncoder().encode("ASTM-E57"), 0);
  lv.setUint32(8, 1, true);
  lv.setBigUint64(16, BigInt((logicalLength / 1020) * 1024), true);
  lv.setBigUint64(24, BigInt(physical(xmlAt)), true);
  lv.setBigUint64(32, BigInt(xml.byteLength), true);
  lv.setBigUint64(40, 1024n, true);
  lv.setUint8(sectionAt, 1);
  lv.setBigUint64(sectionAt + 8, BigInt(32 + packetLength), true);
  lv.setBigUint64(sectionAt + 16, BigInt(physical(dataAt)), true);
  logical.set(packet, dataAt);
  logical.set(xml, xmlAt);
  const pages = logicalLength / 1020;
  const file = new Uint8Array(pages * 1024);
  for (let p = 0; p < pages; p++) {
    const payload = logical.subarray(p * 1020, (p + 1) * 1020);
    file.set(payload, p * 1024);
    new DataView(file.buffer).setUint32(p * 1024 + 1020, crc32c(payload), false);
  }
  return file;
}
