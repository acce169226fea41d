import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execa } from "execa";
import { AppError } from "../../src/contracts/app-error.ts";
import { validateCog } from "../../src/processors/geotiff/cog-validator.ts";
import { geotiffResizeProcessor } from "../../src/processors/geotiff/geotiff-resize.processor.ts";
import { fixture } from "../helpers/fixtures.ts";
import { CLASSES, makePalettedGeoTiff, valuesPresent } from "./make-paletted.ts";
import { cleanupRuns, runStages, scratchDir, type StagesRun } from "../helpers/run-stages.ts";

const geotiff = (name: string) => fixture("geotiff", name);
let scratch = "";

void before(async () => {
  scratch = await scratchDir();
});
void after(cleanupRuns);

function resize(input: string, params: unknown): Promise<StagesRun> {
  return runStages(geotiffResizeProcessor, input, params);
}

interface Info {
  size: [number, number];
  geoTransform: number[];
  bands: { type: string; colorInterpretation: string; noDataValue?: number; colorTable?: unknown }[];
}
async function info(path: string): Promise<Info> {
  const { stdout } = await execa("gdalinfo", ["-json", path], { env: { GDAL_PAM_ENABLED: "NO" } });
  return JSON.parse(stdout) as Info;
}

void test("width alone keeps the aspect ratio and the output is a valid COG", async () => {
  const run = await resize(geotiff("riocogeo_image_2000px.tif"), { width: 600 });
  assert.deepEqual(Object.keys(run.outputs), ["resize", "validate"]);
  assert.deepEqual(run.outputs.resize?.[0], { path: "resized.tif", type: "raster", format: "cog", contentType: "image/tiff" });
  assert.deepEqual((await info(run.file("raster"))).size, [600, 600]);
  assert.equal((await validateCog(run.file("raster"))).valid, true);
  assert.equal(run.progress.at(-1)?.done, 100);
});

void test("scale 0.5 to a plain GeoTIFF keeps Int16 nodata -9999 and skips COG validation", async () => {
  const run = await resize(geotiff("riocogeo_image_nodata.tif"), { scale: 0.5, output: "gtiff" });
  assert.deepEqual(Object.keys(run.outputs), ["resize"]);
  const out = await info(run.file("raster"));
  assert.deepEqual(out.size, [250, 250]);
  assert.equal(out.bands[0]?.type, "Int16");
  assert.equal(out.bands[0]?.noDataValue, -9999);
});

void test("resolution sets the ground pixel size in CRS units", async () => {
  const input = geotiff("riocogeo_image_float.tif");
  const source = await info(input);
  const pixel = source.geoTransform[1]!;
  const run = await resize(input, { resolution: pixel * 2 });
  const out = await info(run.file("raster"));
  assert.ok(Math.abs(out.geoTransform[1]! - pixel * 2) < pixel * 1e-6, `pixel ${out.geoTransform[1]}`);
  assert.equal(out.bands[0]?.type, "Float64");
});

void test("rgba keeps its alpha band and a paletted raster keeps palette and classes", async () => {
  const rgba = await info((await resize(geotiff("riocogeo_image_rgba.tif"), { height: 128, resampling: "bilinear" })).file("raster"));
  assert.equal(rgba.bands[3]?.colorInterpretation, "Alpha");
  const paletted = await resize(await makePalettedGeoTiff(scratch, 400, 300), { scale: 0.3 });
  assert.equal((await info(paletted.file("raster"))).bands[0]?.colorInterpretation, "Palette");
  assert.deepEqual(await valuesPresent(paletted.file("raster")), CLASSES);
});

void test("exactly one way of sizing is accepted", () => {
  const parse = (p: unknown) => geotiffResizeProcessor.params.safeParse(p).success;
  assert.equal(parse({ width: 10 }), true);
  assert.equal(parse({ width: 10, height: 20 }), true);
  assert.equal(parse({}), false);
  assert.equal(parse({ width: 10, scale: 2 }), false);
  assert.equal(parse({ scale: 0 }), false);
  assert.equal(parse({ resolution: -1 }), false);
});

void test("an upscale beyond the pixel limit is INPUT_TOO_LARGE before any work", async () => {
  await assert.rejects(resize(geotiff("derived_large_rgb_6000px_striped.tif"), { scale: 64 }), (e: unknown) => e instanceof AppError && e.code === "INPUT_TOO_LARGE");
});
