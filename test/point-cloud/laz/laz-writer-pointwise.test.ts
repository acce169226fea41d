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

const BASE = { 0: 20, 1: 28, 2: 26, 3: 34 } as const;

void describe("LAZ writer, point formats 0–3 (point-wise v2), decoded by laz-perf", () => {
  for (const format of [0, 1, 2, 3] as const satisfies readonly LazPointFormat[]) {
    for (const extra of [0, 5]) {
      const recordLength = BASE[format] + extra;
      void it(`format ${format}${extra ? ` + ${extra} extra bytes` : ""}: 120 000 points in 3 chunks round-trip exactly`, async () => {
        const records = syntheticRecords(format, recordLength, 120_000, format * 10 + extra);
        const file = await roundTrip({ format, recordLength, records, headerTemplate: lasHeader(format, recordLength, 0) });
        assert.ok(file.length < records.length / 2.5, `compressed to ${file.length} of ${records.length} bytes`);
      });
    }
  }

  void it("GPS times from interleaved flight lines, repeats, NaN, -0 and huge jumps round-trip bit-exactly", async () => {
    const records = syntheticRecords(1, 28, 20_000, 77);
    setHostileGpsTimes(records, 28, 20);
    await roundTrip({ format: 1, recordLength: 28, records, headerTemplate: lasHeader(1, 28, 0) });
  });

  void it("a single point and an empty file are valid LAZ", async () => {
    await roundTrip({ format: 3, recordLength: 34, records: syntheticRecords(3, 34, 1), headerTemplate: lasHeader(3, 34, 0) });
    await roundTrip({ format: 1, recordLength: 28, records: new Uint8Array(0), headerTemplate: lasHeader(1, 28, 0) });
  });

  void it("chunk sizes that leave 1-point chunks still decode", async () => {
    const records = syntheticRecords(2, 26, 301, 5);
    await roundTrip({ format: 2, recordLength: 26, records, headerTemplate: lasHeader(2, 26, 0), chunkSize: 100 });
    await roundTrip({ format: 2, recordLength: 26, records, headerTemplate: lasHeader(2, 26, 0), chunkSize: 1 });
  });

  void it("one chunk bigger than the writer's initial buffer (150 000 points, chunk size 1 000 000)", async () => {
    const records = syntheticRecords(0, 20, 150_000, 6);
    await roundTrip({ format: 0, recordLength: 20, records, headerTemplate: lasHeader(0, 20, 0), chunkSize: 1_000_000 });
  });

  void it("re-encodes laspy_autzen_trim.laz (format 3, 110 000 points) within 2 % of LASzip's size", async () => {
    const path = fixture("pointcloud", "laspy_autzen_trim.laz");
    const raw = await readLazRecords(path);
    assert.equal(raw.format, 3);
    const file = await roundTrip(raw);
    const original = statSync(path).size;
    assert.ok(Math.abs(file.length - original) / original < 0.02, `ours ${file.length} B vs LASzip ${original} B`);
  });

  void it("encodes the first chunk of laspy_autzen_trim.laz byte for byte as LASzip did", async () => {
    const path = fixture("pointcloud", "laspy_autzen_trim.laz");
    const raw = await readLazRecords(path);
    const ours = encodeChunk(raw.format, raw.recordLength, raw.records.subarray(0, Math.min(raw.count, 50_000) * raw.recordLength));
    assert.deepEqual(ours, firstChunkBytes(new Uint8Array(readFileSync(path)), ours.length));
  });

  void it("compresses laspy_simple.las (format 3, uncompressed) keeping its own header and VLRs", async () => {
    const raw = readLasRecords(fixture("pointcloud", "laspy_simple.las"));
    assert.equal(raw.format, 3);
    const file = await roundTrip(raw);
    assert.ok(file.length < raw.records.length * 0.55, `compressed to ${file.length} of ${raw.records.length} bytes`);
  });
});
