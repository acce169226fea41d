import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import sharp from "sharp";
import type { PointChunk } from "../../src/processors/point-cloud/point-chunk.ts";
import { renderThumbnail, THUMBNAIL_DEFAULTS } from "../../src/processors/point-cloud-lod/preview/render-thumbnail.ts";
import { pc, withTempDir } from "../point-cloud/pc-test-utils.ts";
import { readAll } from "./copc-fake-octree.ts";
import { asyncIterableOf } from "../helpers/async-iterable-of.ts";

// As a point source hands its chunks: asynchronously.
const once = (c: PointChunk): AsyncIterable<PointChunk> => asyncIterableOf([c]);

async function pixels(path: string): Promise<{ width: number; height: number; format: string; data: Buffer }> {
  const meta = await sharp(path).metadata();
  const { data, info } = await sharp(path).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, format: meta.format ?? "", data };
}

const [BR, BG, BB] = THUMBNAIL_DEFAULTS.background;
/** Pixels that differ clearly from the background. */
function drawn(data: Buffer): number[] {
  const out: number[] = [];
  for (let p = 0; p < data.length; p += 4) if (Math.abs(data[p]! - BR) + Math.abs(data[p + 1]! - BG) + Math.abs(data[p + 2]! - BB) > 30) out.push(p);
  return out;
}

void describe("renderThumbnail: a WEBP drawn from the points", () => {
  void it("an RGB cloud painted red on the west half and blue on the east shows both colours, not blank, in both views", () =>
    withTempDir(async (dir) => {
      const { header, points } = await readAll(pc("laspy_simple1_4.las"));
      const midX = (points.x.reduce((m, v) => Math.min(m, v), Infinity) + points.x.reduce((m, v) => Math.max(m, v), -Infinity)) / 2;
      const red = new Uint16Array(points.count),
        green = new Uint16Array(points.count),
        blue = new Uint16Array(points.count);
      for (let i = 0; i < points.count; i++) (points.x[i]! < midX ? red : blue)[i] = 65535;
      const painted = { ...points, red, green, blue };
      for (const view of ["oblique", "top"] as const) {
        const path = join(dir, `${view}.webp`);
        const result = await renderThumbnail(once(painted), header, path, { view, size: 256 });
        assert.equal(result.points, points.count);
        const { width, height, format, data } = await pixels(path);
        assert.deepEqual([format, width, height], ["webp", 256, 256]);
        const lit = drawn(data);
        assert.ok(lit.length > 0.1 * width * height, `${view}: ${lit.length} pixels drawn`);
        const reds = lit.filter((p) => data[p]! > 90 && data[p]! > 2.5 * data[p + 2]! && data[p + 1]! < 60).length;
        const blues = lit.filter((p) => data[p + 2]! > 90 && data[p + 2]! > 2.5 * data[p]! && data[p + 1]! < 60).length;
        const greens = lit.filter((p) => data[p + 1]! > 90 && data[p + 1]! > 1.5 * Math.max(data[p]!, data[p + 2]!)).length;
        assert.ok(reds > 0.2 * lit.length && blues > 0.2 * lit.length, `${view}: red ${reds}, blue ${blues} of ${lit.length}`);
        assert.ok(greens < 0.01 * lit.length, `${view}: no green (${greens})`);
        // top-down with north up: red (west) pixels lie left of blue (east) ones
        if (view === "top") {
          const meanX = (ps: number[]): number => ps.reduce((s, p) => s + ((p / 4) % width), 0) / ps.length;
          const redPx = lit.filter((p) => data[p]! > 2.5 * data[p + 2]!),
            bluePx = lit.filter((p) => data[p + 2]! > 2.5 * data[p]!);
          assert.ok(meanX(redPx) < meanX(bluePx) - width / 8, "west is left");
        }
      }
    }));

  void it("a cloud without colour is coloured by height: low and high ends of the ramp both appear", () =>
    withTempDir(async (dir) => {
      const { header, points } = await readAll(pc("e57rs_bunnyFloat.e57"));
      assert.equal(header.attributes.color, false);
      const path = join(dir, "bunny.webp");
      await renderThumbnail(once(points), header, path);
      const { data, width } = await pixels(path);
      assert.equal(width, 512);
      const lit = drawn(data);
      assert.ok(lit.length > 0.15 * 512 * 512, `${lit.length} pixels drawn`);
      const yellow = lit.filter((p) => data[p]! > 150 && data[p + 1]! > 150 && data[p + 2]! < 90).length;
      const purple = lit.filter((p) => data[p + 2]! > data[p + 1]! + 15 && data[p]! > data[p + 1]!).length;
      assert.ok(yellow > 500 && purple > 200, `ramp ends: yellow ${yellow}, purple ${purple}`);
    }));

  void it("the oblique view turns a long strip (autzen) so it fills the square", () =>
    withTempDir(async (dir) => {
      const { header, points } = await readAll(pc("laspy_autzen_trim.laz"));
      await renderThumbnail(once(points), header, join(dir, "autzen.webp"), { size: 256 });
      const { data } = await pixels(join(dir, "autzen.webp"));
      // a fixed 30° turn covers 14 % of the square; the framing azimuth about a third
      assert.ok(drawn(data).length > 0.25 * 256 * 256, `${((100 * drawn(data).length) / 256 / 256).toFixed(0)} % of the pixels drawn`);
    }));

  void it("the same points give the same bytes; no points give a background-only picture; bad sizes are refused", () =>
    withTempDir(async (dir) => {
      const { header, points } = await readAll(pc("laspy_autzen_trim.laz"));
      await renderThumbnail(once(points), header, join(dir, "a.webp"), { size: 200 });
      await renderThumbnail(once(points), header, join(dir, "b.webp"), { size: 200 });
      assert.ok((await readFile(join(dir, "a.webp"))).equals(await readFile(join(dir, "b.webp"))));
      const empty = async function* (): AsyncGenerator<PointChunk> {};
      await renderThumbnail(empty(), header, join(dir, "empty.webp"), { size: 64 });
      assert.equal(drawn((await pixels(join(dir, "empty.webp"))).data).length, 0);
      await assert.rejects(renderThumbnail(once(points), header, join(dir, "x.webp"), { size: 0 }), { code: "INVALID_PARAMS" });
    }));
});
