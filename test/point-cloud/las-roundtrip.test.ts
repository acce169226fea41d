import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { openLasSource } from "../../src/processors/point-cloud/las/las-reader.ts";
import { createLasSink, type LasWriterOptions } from "../../src/processors/point-cloud/las/las-writer.ts";
import { lazPerf } from "../../src/processors/point-cloud/lazperf/laz-perf-module.ts";
import { emptyHeader } from "../../src/processors/point-cloud/point-chunk.ts";
import { collect, maxDiff } from "./collect.ts";
import { lasRecords, pc, withTempDir } from "./pc-test-utils.ts";

async function convertLas(from: string, to: string, options: LasWriterOptions = {}, chunkSize = 10_000): Promise<void> {
  const src = await openLasSource(from, { chunkSize });
  const sink = await createLasSink(to, src.header, options);
  for await (const c of src.points()) await sink.write(c);
  await sink.close();
  await src.close();
}

void describe("LAS writer round trips", () => {
  void it("LAS 1.2 → 1.2 keeps every record byte and a correct header", () =>
    withTempDir(async (dir) => {
      const out = join(dir, "a.las");
      await convertLas(pc("laspy_simple.las"), out, {}, 300);
      const a = await lasRecords(pc("laspy_simple.las"));
      const b = await lasRecords(out);
      assert.deepEqual(b.records, a.records);
      assert.equal(b.header.pointCount, 1065);
      assert.equal(b.header.headerSize, 227);
      assert.equal(b.bytes.byteLength, b.header.offsetToPointData + 1065 * b.header.recordLength, "offset to point data matches the layout");
      assert.deepEqual(b.header.pointsByReturn, a.header.pointsByReturn);
      for (let k = 0; k < 3; k++) {
        assert.ok(Math.abs(b.header.min[k]! - a.header.min[k]!) < 1e-9 && Math.abs(b.header.max[k]! - a.header.max[k]!) < 1e-9, "bounds match");
      }
    }));

  void it("LAS 1.2 → 1.4 format 7 → 1.2 format 3 keeps the points", () =>
    withTempDir(async (dir) => {
      const mid = join(dir, "mid.las"),
        back = join(dir, "back.las");
      await convertLas(pc("laspy_simple.las"), mid, { version: "1.4", pointFormat: 7 });
      const m = await lasRecords(mid);
      assert.equal(m.header.versionMinor, 4);
      assert.equal(m.header.headerSize, 375);
      assert.equal(m.header.pointFormat, 7);
      assert.equal(m.header.pointCount, 1065);
      assert.equal(new DataView(m.bytes.buffer).getUint32(107, true), 0, "legacy point count is 0 for format 7");
      assert.equal(m.header.globalEncoding & 16, 16, "WKT bit set for 1.4 format 7");
      assert.equal(
        m.header.pointsByReturn.reduce((s, n) => s + n, 0),
        1065,
      );
      await convertLas(mid, back, { version: "1.2", pointFormat: 3 });
      assert.deepEqual((await lasRecords(back)).records, (await lasRecords(pc("laspy_simple.las"))).records);
    }));

  void it("LAS 1.4 format 7 → 1.2 picks format 3 and keeps coordinates, colour, GPS time", () =>
    withTempDir(async (dir) => {
      const out = join(dir, "b.las");
      await convertLas(pc("laspy_simple1_4.las"), out, { version: "1.2" });
      const h = (await lasRecords(out)).header;
      assert.equal(h.pointFormat, 3);
      assert.equal(h.pointCount, 22600);
      const [a, b] = [await collect(await openLasSource(pc("laspy_simple1_4.las"))), await collect(await openLasSource(out))];
      assert.ok(maxDiff(a.x, b.x) < 1e-9 && maxDiff(a.z, b.z) < 1e-9);
      assert.deepEqual(b.red, a.red);
      assert.deepEqual(b.gpsTime, a.gpsTime);
    }));

  void it("extra bytes and their descriptor VLR survive LAS → LAS", () =>
    withTempDir(async (dir) => {
      const out = join(dir, "eb.las");
      await convertLas(pc("laspy_extrabytes.las"), out);
      const a = await lasRecords(pc("laspy_extrabytes.las")),
        b = await lasRecords(out);
      assert.ok(a.header.recordLength > 30, "fixture has extra bytes");
      assert.equal(b.header.recordLength, a.header.recordLength);
      assert.deepEqual(b.records, a.records);
      const src = await openLasSource(out);
      assert.ok(src.header.extraBytes?.descriptor, "extra bytes descriptor VLR written");
      assert.deepEqual(src.header.extraBytes.descriptor, (await openLasSource(pc("laspy_extrabytes.las"))).header.extraBytes?.descriptor);
      await src.close();
    }));

  void it("LAZ → LAS equals laz-perf's own decode of every record", () =>
    withTempDir(async (dir) => {
      const out = join(dir, "autzen.las");
      await convertLas(pc("laspy_autzen_trim.laz"), out, {}, 50_000);
      const lp = await lazPerf();
      const file = new Uint8Array(await readFile(pc("laspy_autzen_trim.laz")));
      const ptr = lp._malloc(file.byteLength);
      lp.HEAPU8.set(file, ptr);
      const zip = new lp.LASZip();
      zip.open(ptr, file.byteLength);
      const n = zip.getCount(),
        len = zip.getPointLength();
      const one = lp._malloc(len);
      const expected = new Uint8Array(n * len);
      for (let i = 0; i < n; i++) {
        zip.getPoint(one);
        expected.set(lp.HEAPU8.subarray(one, one + len), i * len);
      }
      zip.delete();
      lp._free(one);
      lp._free(ptr);
      const got = await lasRecords(out);
      assert.equal(got.header.pointCount, 110000);
      assert.equal(got.header.compressed, false);
      assert.ok(Buffer.from(got.records).equals(Buffer.from(expected)), "records equal laz-perf's");
    }));

  void it("GeoTIFF-keys-only LAS 1.2 → LAS 1.4 format 6 gets the EPSG code as OGC WKT (via GDAL)", () =>
    withTempDir(async (dir) => {
      // GeoKeyDirectory: version 1.1.0, 2 keys: GTModelType = projected, ProjectedCSType = 32633.
      const keys = new Uint8Array(new Uint16Array([1, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 32633]).buffer);
      const header = emptyHeader("xyz");
      header.crs = { epsg: 32633, geoKeyVlrs: [{ recordId: 34735, data: keys }] };
      const keysLas = join(dir, "keys.las"),
        wktLas = join(dir, "wkt.las");
      const sink = await createLasSink(keysLas, header, { version: "1.2" });
      await sink.write({ count: 1, x: new Float64Array([500000]), y: new Float64Array([5000000]), z: new Float64Array([10]) });
      await sink.close();
      const first = await openLasSource(keysLas);
      await first.close();
      assert.equal(first.header.crs.epsg, 32633, "EPSG read from the GeoTIFF keys");
      await convertLas(keysLas, wktLas, { version: "1.4", pointFormat: 6 });
      const back = await openLasSource(wktLas);
      await back.close();
      assert.match(back.header.crs.wkt ?? "", /UTM zone 33N/);
      assert.equal(back.header.crs.epsg, 32633);
      assert.equal(back.header.crs.geoKeyVlrs, undefined, "format 6 carries WKT only");
      assert.equal((await lasRecords(wktLas)).header.globalEncoding & 16, 16);
    }));

  void it("carries the CRS VLRs through", () =>
    withTempDir(async (dir) => {
      const src = await openLasSource(pc("laspy_autzen_trim.laz"));
      await src.close();
      const out = join(dir, "crs.las");
      await convertLas(pc("laspy_autzen_trim.laz"), out);
      const back = await openLasSource(out);
      await back.close();
      assert.ok(src.header.crs.epsg !== undefined || src.header.crs.wkt !== undefined, "fixture has a CRS");
      assert.deepEqual(back.header.crs, src.header.crs);
    }));
});
