import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { describe, it } from "node:test";
import { encodeChunk } from "../../../src/processors/point-cloud/laz/chunk-encoder.ts";
import type { LazPointFormat } from "../../../src/processors/point-cloud/laz/point-formats.ts";
import { fixture } from "../../helpers/fixtures.ts";
import { readLasRecords, readLazRecords } from "./las-fixtures-io.ts";
import { lasHeader } from "./las-fixtures.ts";
import { firstChunkBytes, roundTrip } from "./laz-roundtrip.ts";
import { setHostileGpsTimes, syntheticRecords } from "./synthetic-points.ts";

const BASE = { 6: 30, 7: 36, 8: 38 } as const;

void describe("LAZ writer, point formats 6–8 (layered v3), decoded by laz-perf", () => {
  for (const format of [6, 7, 8] as const satisfies readonly LazPointFormat[]) {
    for (const extra of [0, 3]) {
      const recordLength = BASE[format] + extra;
      void it(`format ${format}${extra ? ` + ${extra} extra bytes` : ""}: 120 000 points on 4 scanner channels in 3 chunks round-trip exactly`, async () => {
        const records = syntheticRecords(format, recordLength, 120_000, 100 + format * 10 + extra);
        const file = await roundTrip({ format, recordLength, records, headerTemplate: lasHeader(format, recordLength, 0) });
        assert.ok(file.length < records.length / 2.5, `compressed to ${file.length} of ${records.length} bytes`);
      });
    }
  }

  void it("GPS times from interleaved flight lines, repeats, NaN, -0 and huge jumps round-trip bit-exactly", async () => {
    const records = syntheticRecords(6, 30, 20_000, 77);
    setHostileGpsTimes(records, 30, 22);
    await roundTrip({ format: 6, recordLength: 30, records, headerTemplate: lasHeader(6, 30, 0) });
  });

  void it("a single point and an empty file are valid LAZ", async () => {
    await roundTrip({ format: 8, recordLength: 38, records: syntheticRecords(8, 38, 1), headerTemplate: lasHeader(8, 38, 0) });
    await roundTrip({ format: 6, recordLength: 30, records: new Uint8Array(0), headerTemplate: lasHeader(6, 30, 0) });
  });

  void it("constant attributes (dropped layers) and 1-point chunks still decode", async () => {
    const records = syntheticRecords(7, 37, 500, 9);
    for (let i = 0; i < 500; i++) {
      // same class, flags, user data, colour and extra byte everywhere: their layers are empty
      records.set(records.subarray(15, 18), i * 37 + 15);
      records.set(records.subarray(30, 37), i * 37 + 30);
    }
    await roundTrip({ format: 7, recordLength: 37, records, headerTemplate: lasHeader(7, 37, 0), chunkSize: 200 });
    await roundTrip({ format: 7, recordLength: 37, records: records.subarray(0, 37 * 5), headerTemplate: lasHeader(7, 37, 0), chunkSize: 1 });
  });

  void it("re-encodes laspy_1_4_w_evlr.laz (format 6) within 3 % of LASzip's point data size", async () => {
    const path = fixture("pointcloud", "laspy_1_4_w_evlr.laz");
    const raw = await readLazRecords(path);
    assert.equal(raw.format, 6);
    const file = await roundTrip(raw);
    const original = statSync(path).size;
    // the original carries extra VLRs/EVLRs; compare to the whole file as an upper bound
    assert.ok(file.length < original * 1.03, `ours ${file.length} B vs LASzip ${original} B`);
  });

  void it("encodes the first chunk of laspy_1_4_w_evlr.laz byte for byte as LASzip did", async () => {
    const path = fixture("pointcloud", "laspy_1_4_w_evlr.laz");
    const raw = await readLazRecords(path);
    const ours = encodeChunk(raw.format, raw.recordLength, raw.records.subarray(0, Math.min(raw.count, 50_000) * raw.recordLength));
    assert.deepEqual(ours, firstChunkBytes(new Uint8Array(readFileSync(path)), ours.length));
  });

  void it("compresses laspy_simple1_4.las (format 7, uncompressed) keeping its own header and VLRs", async () => {
    const raw = readLasRecords(fixture("pointcloud", "laspy_simple1_4.las"));
    assert.equal(raw.format, 7);
    const file = await roundTrip(raw);
    assert.ok(file.length < raw.records.length * 0.6, `compressed to ${file.length} of ${raw.records.length} bytes`);
  });
});
