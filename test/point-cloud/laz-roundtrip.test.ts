import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseLasHeader } from "../../src/processors/point-cloud/las/las-header.ts";
import { openLasSource } from "../../src/processors/point-cloud/las/las-reader.ts";
import { readFile } from "node:fs/promises";
import { lasRecords, pc, runConvert, withTempDir } from "./pc-test-utils.ts";

/** source → LAZ (processor) → LAS (processor): the records must come back byte for byte. */
async function lazRoundTrip(dir: string, source: string, params: object = {}): Promise<{ laz: string; las: string }> {
  const a = await runConvert(join(dir, "1"), source, { output_format: "laz", ...params });
  const laz = join(a.outDir, "points.laz");
  const b = await runConvert(join(dir, "2"), laz, { output_format: "las" });
  return { laz, las: join(b.outDir, "points.las") };
}

void describe("LAS → LAZ → LAS through the LAZ writer and laz-perf", () => {
  for (const name of ["laspy_simple.las", "laspy_simple1_4.las", "laspy_extrabytes.las"]) {
    void it(`${name} comes back record for record`, () =>
      withTempDir(async (dir) => {
        const { laz, las } = await lazRoundTrip(dir, pc(name));
        const lazHeader = parseLasHeader(new Uint8Array(await readFile(laz)));
        const [src, back] = [await lasRecords(pc(name)), await lasRecords(las)];
        assert.equal(lazHeader.compressed, true);
        assert.equal(lazHeader.pointCount, src.header.pointCount);
        assert.equal(back.header.pointFormat, src.header.pointFormat);
        assert.ok(Buffer.from(back.records).equals(Buffer.from(src.records)), "records identical");
        assert.ok((await stat(laz)).size < (await stat(pc(name))).size / 2, "LAZ is much smaller");
      }));
  }

  void it("autzen LAZ → LAZ (multi-chunk) → LAS keeps all 110 000 points and the CRS", () =>
    withTempDir(async (dir) => {
      const { laz, las } = await lazRoundTrip(dir, pc("laspy_autzen_trim.laz"));
      const [orig, back] = [await openLasSource(pc("laspy_autzen_trim.laz")), await openLasSource(las)];
      assert.equal(back.header.pointCount, 110000);
      assert.deepEqual(back.header.crs, orig.header.crs);
      await Promise.all([orig.close(), back.close()]);
      const ratio = (await stat(laz)).size / (await stat(pc("laspy_autzen_trim.laz"))).size;
      assert.ok(ratio < 1.1, `within 10 % of LASzip's size (ratio ${ratio.toFixed(3)})`);
    }));

  void it("LAS 1.2 → LAZ 1.4 format 7", () =>
    withTempDir(async (dir) => {
      const { las } = await lazRoundTrip(dir, pc("laspy_simple.las"), { las_version: "1.4", point_format: 7 });
      const back = await lasRecords(las);
      assert.equal(back.header.pointFormat, 7);
      assert.equal(back.header.pointCount, 1065);
    }));
});
