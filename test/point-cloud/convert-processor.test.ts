import assert from "node:assert/strict";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { openLasSource } from "../../src/processors/point-cloud/las/las-reader.ts";
import { openPlySource } from "../../src/processors/point-cloud/ply/ply-source.ts";
import { collect, maxDiff } from "./collect.ts";
import { lasRecords, pc, runConvert, withTempDir } from "./pc-test-utils.ts";

void describe("point_cloud_convert processor", () => {
  void it("E57 → LAS: one points.las output, progress up to the total, colour kept", () =>
    withTempDir(async (dir) => {
      const { allOutputs: outputs, outDir, progress } = await runConvert(dir, pc("e57rs_tinyCartesianFloatRgb.e57"), { output_format: "las", chunk_size: 1000 });
      assert.deepEqual(outputs, [{ path: "points.las", type: "point_cloud", format: "las" }]);
      const conv = progress.filter((p) => p.stage === "convert");
      assert.deepEqual(
        conv.map((p) => p.done),
        [1000, 2000, 2090],
      );
      assert.ok(conv.every((p) => p.total === 2090));
      const las = await lasRecords(join(outDir, "points.las"));
      assert.equal(las.header.pointFormat, 2, "colour without GPS time → format 2");
      assert.equal(las.header.pointCount, 2090);
      const [e57, back] = [
        await collect(await (await import("../../src/processors/point-cloud/e57/e57-source.ts")).openE57Source(pc("e57rs_tinyCartesianFloatRgb.e57"))),
        await collect(await openLasSource(join(outDir, "points.las"))),
      ];
      assert.ok(maxDiff(e57.x, back.x) <= 0.0005 + 1e-9, "millimetre scale");
      assert.deepEqual(back.red, e57.red);
    }));

  void it("COPC → PLY keeps every point", () =>
    withTempDir(async (dir) => {
      const { outDir } = await runConvert(dir, pc("laspy_simple.copc.laz"), { output_format: "ply" });
      const [a, b] = [await collect(await openLasSource(pc("laspy_simple.copc.laz"))), await collect(await openPlySource(join(outDir, "points.ply")))];
      assert.equal(b.count, 1065);
      assert.ok(maxDiff(a.x, b.x) < 1e-9 && maxDiff(a.z, b.z) < 1e-9);
    }));

  void it("XYZ → LAS 1.4 picks an offset near the data and millimetre scale; progress counts bytes", () =>
    withTempDir(async (dir) => {
      const { outDir, progress } = await runConvert(dir, pc("derived_simple1_4.xyz"), { output_format: "las", las_version: "1.4", chunk_size: 5000 });
      const las = await lasRecords(join(outDir, "points.las"));
      assert.equal(las.header.pointFormat, 7);
      assert.equal(las.header.pointCount, 22600);
      assert.deepEqual(las.header.scale, [0.001, 0.001, 0.001]);
      assert.ok(Math.abs(las.header.offset[0] - las.header.min[0]) < 2000, "offset near the data");
      const last = progress.at(-1)!;
      assert.equal(last.done, (await stat(pc("derived_simple1_4.xyz"))).size);
      const [a, b] = [await collect(await openLasSource(pc("laspy_simple1_4.las"))), await collect(await openLasSource(join(outDir, "points.las")))];
      assert.ok(maxDiff(a.y, b.y) < 0.0006);
      assert.deepEqual(
        b.red.map((v) => v >> 8),
        a.red.map((v) => v >> 8),
      );
    }));

  void it("cancelling mid-way stops with CANCELLED and leaves no output", () =>
    withTempDir(async (dir) => {
      const controller = new AbortController();
      const file = pc("laspy_simple1_4.las");
      const run = runConvert(dir, file, { output_format: "ply", chunk_size: 1000 }, { signal: controller.signal });
      setImmediate(() => controller.abort());
      await assert.rejects(run, { code: "CANCELLED" });
      assert.deepEqual(await readdir(join(dir, "out")), []);
    }));

  void it("rejects params outside the schema", () => {
    return assert.rejects(runConvert("/nonexistent", pc("laspy_simple.las"), { output_format: "e57" }), { name: "ZodError" });
  });
});
