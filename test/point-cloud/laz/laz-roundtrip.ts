import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLazFileWriter } from "../../../src/processors/point-cloud/laz/laz-file-writer.ts";
import type { LazPointFormat } from "../../../src/processors/point-cloud/laz/point-formats.ts";
import { decodeWithLazPerf } from "./laz-perf-reader.ts";

const dir = mkdtempSync(join(tmpdir(), "vs3d-laz-test-"));
let fileCounter = 0;

/** Header with the point count filled in (offsets 107 legacy, 247 for LAS 1.4). */
export function withCount(template: Uint8Array, count: number): Uint8Array {
  const out = template.slice();
  const v = new DataView(out.buffer);
  if (out[25]! >= 4) {
    v.setBigUint64(247, BigInt(count), true);
    v.setUint32(107, (out[104]! & 0x3f) < 6 && count <= 0xffffffff ? count : 0, true);
  } else {
    v.setUint32(107, count, true);
  }
  return out;
}

/** Writes records through the LAZ writer (in uneven slices, as a streaming caller would), decodes
 * the file with laz-perf and asserts every record came back byte for byte. Returns the file. */
export async function roundTrip(input: { format: LazPointFormat; recordLength: number; records: Uint8Array; headerTemplate: Uint8Array; chunkSize?: number }): Promise<Uint8Array> {
  const { format, recordLength, records, headerTemplate } = input;
  const count = records.length / recordLength;
  const path = join(dir, `roundtrip-${fileCounter++}.laz`);
  const writer = await createLazFileWriter(path, { headerTemplate, pointFormat: format, recordLength, ...(input.chunkSize ? { chunkSize: input.chunkSize } : {}) });
  const slice = 7919 * recordLength;
  for (let at = 0; at < records.length; at += slice) await writer.write(records.subarray(at, at + slice));
  await writer.close(withCount(headerTemplate, count));
  const file = new Uint8Array(readFileSync(path));
  const decoded = await decodeWithLazPerf(file);
  assert.equal(decoded.format, format);
  assert.equal(decoded.recordLength, recordLength);
  assert.equal(decoded.count, count);
  const firstDiff = decoded.records.findIndex((b, i) => b !== records[i]);
  assert.equal(firstDiff, -1, `record ${Math.floor(firstDiff / recordLength)} byte ${firstDiff % recordLength} differs after decoding`);
  return file;
}

/** The bytes of a LAZ file's first chunk (after the 8-byte chunk table offset), `length` long. */
export function firstChunkBytes(file: Uint8Array, length: number): Uint8Array {
  const start = new DataView(file.buffer, file.byteOffset, file.byteLength).getUint32(96, true) + 8;
  return file.subarray(start, start + length);
}
