import { test } from "node:test";
import assert from "node:assert/strict";
import { AppError } from "../../src/contracts/app-error.ts";
import { chooseCog, cogTranslateArgs } from "../../src/processors/geotiff/cog-options.ts";
import { previewBandArgs, previewSize } from "../../src/processors/geotiff/geotiff-preview.ts";
import { GeotiffResizeParams } from "../../src/processors/geotiff/geotiff-resize.params.ts";
import { fidelityProblems } from "../../src/processors/geotiff/raster-fidelity.ts";
import type { RasterInfo } from "../../src/processors/geotiff/raster-info.ts";
import { resizeTarget } from "../../src/processors/geotiff/resize-target.ts";

const rgb: RasterInfo = {
  width: 4000,
  height: 2000,
  bandCount: 3,
  dataType: "Byte",
  kind: "imagery",
  hasPalette: false,
  hasAlpha: false,
  hasMask: false,
  nodata: null,
  photometric: null,
  compression: null,
  hasGeoreference: true,
  pixelSize: [0.5, 0.5],
  overviewCount: 0,
};
const dem: RasterInfo = { ...rgb, bandCount: 1, dataType: "Float32", kind: "elevation", nodata: "nan" };
const landcover: RasterInfo = { ...rgb, bandCount: 1, kind: "categorical", hasPalette: true };
const req = { blockSize: 512, webOptimized: false };

void test("defaults: lossless deflate, predictor for imagery and elevation, none for palettes; nearest only for palettes", () => {
  assert.deepEqual(chooseCog(rgb, req), { compression: "deflate", predictor: true, overviewResampling: "average" });
  assert.deepEqual(chooseCog(dem, req), { compression: "deflate", predictor: true, overviewResampling: "average" });
  assert.deepEqual(chooseCog(landcover, req), { compression: "deflate", predictor: false, overviewResampling: "nearest" });
  assert.equal(chooseCog(landcover, { ...req, resampling: "mode" }).overviewResampling, "mode");
});

void test("lossy compression of non-8-bit or paletted data is INVALID_PARAMS", () => {
  for (const [info, compression] of [
    [dem, "jpeg"],
    [landcover, "webp"],
    [dem, "webp"],
  ] as const) {
    assert.throws(
      () => chooseCog(info, { ...req, compression }),
      (e: unknown) => e instanceof AppError && e.code === "INVALID_PARAMS",
    );
  }
});

void test("reprojection args: web mercator grid, warp resampling by data, refused without georeferencing", () => {
  const args = cogTranslateArgs("in.tif", "out.tif", landcover, { ...req, webOptimized: true }, chooseCog(landcover, req));
  assert.ok(args.includes("TILING_SCHEME=GoogleMapsCompatible"));
  assert.ok(args.includes("WARP_RESAMPLING=NEAREST"));
  assert.deepEqual(args.slice(-2), ["in.tif", "out.tif"]);
  const bare = { ...rgb, hasGeoreference: false };
  assert.throws(() => cogTranslateArgs("a", "b", bare, { ...req, targetSrs: "EPSG:3857" }, chooseCog(bare, req)), /no georeferencing/);
});

void test("fidelity: lost palette, changed nodata and dropped alpha are reported; alpha as a mask is fine", () => {
  assert.deepEqual(fidelityProblems(landcover, { ...landcover, hasPalette: false }), ["the colour palette was lost"]);
  assert.deepEqual(fidelityProblems(dem, { ...dem, nodata: null }), ["nodata nan became null"]);
  assert.deepEqual(fidelityProblems(dem, dem), []);
  const infinite = { ...dem, nodata: -Infinity };
  assert.deepEqual(fidelityProblems(infinite, infinite), []);
  assert.deepEqual(fidelityProblems(infinite, { ...dem, nodata: Infinity }), ["nodata -Infinity became Infinity"], "an infinity is no other value's neighbour");
  assert.deepEqual(fidelityProblems(infinite, { ...dem, nodata: 5 }), ["nodata -Infinity became 5"]);
  const rgba = { ...rgb, bandCount: 4, hasAlpha: true };
  assert.deepEqual(fidelityProblems(rgba, { ...rgb }), ["the alpha band was lost"]);
  assert.deepEqual(fidelityProblems(rgba, { ...rgb, hasMask: true }), []);
});

void test("resize targets: one side keeps the aspect, resolution uses the pixel size", () => {
  const parse = (p: object) => GeotiffResizeParams.parse(p);
  assert.deepEqual(resizeTarget(rgb, parse({ width: 1000 })).args, ["-outsize", "1000", "500"]);
  assert.deepEqual(resizeTarget(rgb, parse({ height: 100 })).args, ["-outsize", "200", "100"]);
  assert.deepEqual(resizeTarget(rgb, parse({ resolution: 2 })), { width: 1000, height: 500, args: ["-tr", "2", "2"] });
  assert.throws(
    () => resizeTarget({ ...rgb, pixelSize: null }, parse({ resolution: 2 })),
    (e: unknown) => e instanceof AppError && e.code === "INVALID_PARAMS",
  );
});

void test("previews fit the max size without upscaling; grey and nodata become RGB + transparency", () => {
  assert.deepEqual(previewSize(6000, 3000, 1024), { width: 1024, height: 512 });
  assert.deepEqual(previewSize(300, 200, 1024), { width: 300, height: 200 });
  assert.deepEqual(previewBandArgs({ ...dem, dataType: "Byte" }), ["-b", "1", "-b", "1", "-b", "1", "-b", "mask"]);
  assert.deepEqual(previewBandArgs({ ...rgb, bandCount: 4, hasAlpha: true }), ["-b", "1", "-b", "2", "-b", "3", "-b", "4"]);
});
