import { baseRecordLength, type LazPointFormat } from "../../../src/processors/point-cloud/laz/point-formats.ts";
import { rng } from "./las-fixtures.ts";

/** Realistic-looking airborne lidar records: pulses of 1–5 returns sharing a GPS time, a
 * smooth scan line, class runs, colour gradients, plus a few hostile values (coordinate wraps,
 * GPS jumps, all-0xFF bytes) so every coding branch is exercised. */
export function syntheticRecords(format: LazPointFormat, recordLength: number, count: number, seed = 1): Uint8Array {
  const random = rng(seed);
  const int = (n: number): number => Math.floor(random() * n);
  const out = new Uint8Array(count * recordLength);
  const v = new DataView(out.buffer);
  const layered = format >= 6;
  let x = 100_000,
    y = 200_000,
    z = 5_000,
    gps = 300_000.5,
    intensity = 500,
    cls = 2,
    source = 7;
  let r = 1,
    n = 1,
    red = 20_000,
    green = 30_000,
    blue = 40_000,
    nir = 1000,
    channel = 0,
    angle = 0;
  for (let i = 0; i < count; i++) {
    const at = i * recordLength;
    if (r >= n) {
      n = 1 + (random() < 0.6 ? 0 : int(layered ? 6 : 5));
      r = 1;
      gps += random() < 0.97 ? 0.00001 : random() < 0.5 ? 3.25 : -int(1_000_000);
      x += 30 + int(20);
      y += int(9) - 4;
      if (i % 997 === 0) y += int(4000) - 2000;
      angle = (angle + 1) % 60;
      if (random() < 0.01) source = int(65536);
      if (layered && random() < 0.05) channel = int(4);
    } else {
      r++;
    }
    z += int(41) - 20;
    if (i % 5000 === 4999) x = (x + 0x7fff0000) | 0; // int32 wrap of the X delta
    intensity = Math.max(0, Math.min(65535, intensity + int(101) - 50));
    if (random() < 0.02) cls = [1, 2, 3, 5, 6, 9, 17][int(7)]!;
    v.setInt32(at, x, true);
    v.setInt32(at + 4, y, true);
    v.setInt32(at + 8, z, true);
    v.setUint16(at + 12, intensity, true);
    if (layered) {
      out[at + 14] = (r & 15) | ((n & 15) << 4);
      out[at + 15] = (random() < 0.05 ? int(16) : 0) | (channel << 4) | ((angle & 1) << 6) | (angle === 59 ? 0x80 : 0);
      out[at + 16] = random() < 0.001 ? 200 : cls;
      out[at + 17] = i % 3000 < 10 ? int(256) : 4;
      v.setInt16(at + 18, (angle - 30) * 200, true);
      v.setUint16(at + 20, source, true);
      v.setFloat64(at + 22, gps, true);
    } else {
      out[at + 14] = (r & 7) | ((n & 7) << 3) | ((angle & 1) << 6) | (angle === 59 ? 0x80 : 0);
      out[at + 15] = cls;
      out[at + 16] = angle - 30;
      out[at + 17] = i % 3000 < 10 ? int(256) : 4;
      v.setUint16(at + 18, source, true);
    }
    let off = layered ? 30 : 20;
    if (format === 1 || format === 3) {
      v.setFloat64(at + off, gps, true);
      off += 8;
    }
    if (format === 2 || format === 3 || format === 7 || format === 8) {
      red = (red + int(513) - 256) & 0xffff;
      green = (green + int(513) - 256) & 0xffff;
      blue = (blue + int(513) - 256) & 0xffff;
      const grey = i % 500 < 50;
      v.setUint16(at + off, red, true);
      v.setUint16(at + off + 2, grey ? red : green, true);
      v.setUint16(at + off + 4, grey ? red : blue, true);
      off += 6;
    }
    if (format === 8) {
      nir = (nir + int(33) - 16) & 0xffff;
      v.setUint16(at + off, nir, true);
    }
    for (let b = baseRecordLength(format); b < recordLength; b++) out[at + b] = b % 2 === 0 ? (i >> 4) & 0xff : i % 7 === 0 ? 0xff : int(3);
  }
  return out;
}

/** Overwrites every record's GPS time (the float64 at `gpsOffset`) with what trips a time coder:
 * interleaved flight lines (2 time sequences in the first half, 4 in the second), repeats, NaN,
 * -0, 0, MAX_VALUE, a denormal and large jumps. */
export function setHostileGpsTimes(records: Uint8Array, recordLength: number, gpsOffset: number): void {
  const v = new DataView(records.buffer, records.byteOffset, records.byteLength);
  const count = records.byteLength / recordLength;
  const epochs = [1e5, 4.5e8, -3.25e7, 1e5 + 1e-3];
  for (let i = 0; i < count; i++) {
    const line = Math.floor(i / 7) % (i < count / 2 ? 2 : 4);
    const special = [Number.NaN, -0, 0, Number.MAX_VALUE, 5e-324][i % 1000];
    v.setFloat64(i * recordLength + gpsOffset, special ?? epochs[line]! + Math.floor(i / 3) * 1.5e-5 * (1 + (i % 11 === 0 ? 40 : 0)), true);
  }
}
