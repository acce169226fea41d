import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AppError } from "../../src/contracts/app-error.ts";
import { openE57Source } from "../../src/processors/point-cloud/e57/e57-source.ts";
import { collect } from "./collect.ts";
import { buildTestE57 } from "./e57-test-writer.ts";
import { pc, withTempDir } from "./pc-test-utils.ts";

void describe("E57 reader", () => {
  void it("reads the tiny Cartesian scan: 2090 points inside its bounds, 8-bit colour ×257", async () => {
    const src = await openE57Source(pc("e57rs_tinyCartesianFloatRgb.e57"), { chunkSize: 1000 });
    assert.equal(src.header.pointCount, 2090);
    const pts = await collect(src);
    assert.equal(pts.count, 2090);
    assert.equal(pts.chunks, 3);
    const b = src.header.bounds!;
    for (const [axis, values] of [pts.x, pts.y, pts.z].entries()) {
      assert.ok(
        values.every((v) => v >= b.min[axis]! - 1e-6 && v <= b.max[axis]! + 1e-6),
        `axis ${axis} in bounds`,
      );
    }
    assert.ok(pts.red.every((r) => r % 257 === 0) && pts.red.some((r) => r > 0), "8-bit colours scaled by 257");
  });

  void it("reads the bunny: 30 571 points", async () => {
    assert.equal((await collect(await openE57Source(pc("e57rs_bunnyFloat.e57")))).count, 30571);
  });

  void it("rejects a page with a bad CRC-32C as INPUT_CORRUPT naming the page", async () => {
    await assert.rejects(
      async () => collect(await openE57Source(pc("e57rs_corrupt_crc.e57"))),
      (e: unknown) => {
        assert.ok(e instanceof AppError);
        assert.equal(e.code, "INPUT_CORRUPT");
        assert.match(e.message, /page 33/);
        assert.equal(e.details?.page, 33);
        return true;
      },
    );
  });

  void it("converts spherical coordinates, applies the pose, unpacks 12-bit intensity and skips invalid points", () =>
    withTempDir(async (dir) => {
      const n = 50;
      const range = Array.from({ length: n }, (_, i) => 1 + i / 10);
      const az = Array.from({ length: n }, (_, i) => (i / n) * 2 * Math.PI - Math.PI);
      const el = Array.from({ length: n }, (_, i) => (i / n - 0.5) * Math.PI * 0.9);
      const intensity = Array.from({ length: n }, (_, i) => (i * 83) % 4096);
      const invalid = Array.from({ length: n }, (_, i) => (i % 10 === 9 ? 2 : 0));
      const file = join(dir, "sph.e57");
      // Pose: 90° about Z (w = cos 45°, z = sin 45°), then +100 m in x.
      const h = Math.SQRT1_2;
      await writeFile(
        file,
        buildTestE57(
          [
            { name: "sphericalRange", values: range },
            { name: "sphericalAzimuth", values: az },
            { name: "sphericalElevation", values: el },
            { name: "intensity", values: intensity, integer: [0, 4095] },
            { name: "sphericalInvalidState", values: invalid, integer: [0, 2] },
          ],
          { rotation: [h, 0, 0, h], translation: [100, 0, 0] },
        ),
      );
      const src = await openE57Source(file);
      assert.equal(src.header.pointCount, undefined, "count unknown when points may be invalid");
      const pts = await collect(src);
      assert.equal(pts.count, 45);
      const kept = [...Array(n).keys()].filter((i) => invalid[i] === 0);
      kept.forEach((i, k) => {
        const [lx, ly, lz] = [range[i]! * Math.cos(el[i]!) * Math.cos(az[i]!), range[i]! * Math.cos(el[i]!) * Math.sin(az[i]!), range[i]! * Math.sin(el[i]!)];
        assert.ok(Math.abs(pts.x[k]! - (100 - ly)) < 1e-9 && Math.abs(pts.y[k]! - lx) < 1e-9 && Math.abs(pts.z[k]! - lz) < 1e-9, `point ${i}`);
        assert.equal(pts.intensity[k], Math.round((intensity[i]! / 4095) * 65535));
      });
    }));
});
