import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { AppError } from "../../src/contracts/app-error.ts";
import { validateCog } from "../../src/processors/geotiff/cog-validator.ts";
import { geotiffCogProcessor } from "../../src/processors/geotiff/geotiff-cog.processor.ts";
import { fixture } from "../helpers/fixtures.ts";
import { CLASSES, makePalettedGeoTiff, valuesPresent } from "./make-paletted.ts";
import { cleanupRuns, runStages, scratchDir, type StagesRun } from "../helpers/run-stages.ts";

const geotiff = (name: string) => fixture("geotiff", name);
let scratch = "";

void before(async () => {
  scratch = await scratchDir();
});
void after(cleanupRuns);

function cog(input: string, params: unknown = {}): Promise<StagesRun> {
  return runStages(geotiffCogProcessor, input, params);
}

interface Info {
  size: [number, number];
  coordinateSystem?: { wkt: string };
  metadata: { IMAGE_STRUCTURE?: Record<string, string> };
  bands: { type: string; colorInterpretation: string; noDataValue?: number | string; colorTable?: { count: number; entries: number[][] }; overviews?: unknown[] }[];
}
async function info(path: string): Promise<Info> {
  const { stdout } = await execa("gdalinfo", ["-json", path], { env: { GDAL_PAM_ENABLED: "NO" } });
  return JSON.parse(stdout) as Info;
}

void test("JPEG RGB input becomes a valid, losslessly compressed COG with overviews and a WEBP preview", async () => {
  const run = await cog(geotiff("riocogeo_image_2000px.tif"));
  const out = await info(run.file("cog"));
  assert.equal(out.metadata.IMAGE_STRUCTURE?.COMPRESSION, "DEFLATE");
  assert.equal(out.bands[0]?.overviews?.length, 2);
  assert.equal((await validateCog(run.file("cog"))).valid, true);
  const preview = await info(run.file("preview"));
  assert.deepEqual(preview.size, [1024, 1024]);
  assert.equal(run.progress.filter((p) => p.stage === "cog").at(-1)?.done, 100);
});

void test("Float64 elevation stays Float64, with a floating-point predictor", async () => {
  const run = await cog(geotiff("riocogeo_image_float.tif"), { preview: { format: "png", max_size: 200 } });
  const out = await info(run.file("cog"));
  assert.equal(out.bands[0]?.type, "Float64");
  assert.equal(out.metadata.IMAGE_STRUCTURE?.PREDICTOR, "3");
  const preview = await info(run.file("preview"));
  assert.equal(Math.max(...preview.size), 200);
  assert.equal(preview.bands[0]?.type, "Byte");
});

void test("a 12-bit (NBITS) UInt16 input becomes a valid COG: no predictor, which GDAL refuses on packed samples", async () => {
  const input = join(scratch, "nbits12.tif");
  await execa("gdal_translate", ["-q", "-ot", "UInt16", "-b", "1", "-co", "NBITS=12", "-scale", "0", "255", "0", "4000", geotiff("riocogeo_image_2000px.tif"), input], {
    env: { GDAL_PAM_ENABLED: "NO" },
  });
  const run = await cog(input, { preview: false });
  const out = await info(run.file("cog"));
  assert.equal(out.bands[0]?.type, "UInt16");
  assert.equal(out.metadata.IMAGE_STRUCTURE?.PREDICTOR, undefined);
  assert.equal((await validateCog(run.file("cog"))).valid, true);
});

void test("Int16 nodata -9999 is kept, and nodata is transparent in the preview", async () => {
  const run = await cog(geotiff("riocogeo_image_nodata.tif"));
  const out = await info(run.file("cog"));
  assert.equal(out.bands[0]?.type, "Int16");
  assert.equal(out.bands[0]?.noDataValue, -9999);
  const preview = await info(run.file("preview"));
  assert.equal(preview.bands[3]?.colorInterpretation, "Alpha");
});

void test("the alpha band of an RGBA input is kept", async () => {
  const run = await cog(geotiff("riocogeo_image_rgba.tif"), { compression: "zstd", block_size: 256 });
  const out = await info(run.file("cog"));
  assert.deepEqual(
    out.bands.map((b) => b.colorInterpretation),
    ["Red", "Green", "Blue", "Alpha"],
  );
  assert.equal(out.metadata.IMAGE_STRUCTURE?.COMPRESSION, "ZSTD");
  assert.equal((await validateCog(run.file("cog"))).valid, true);
});

void test("a paletted land-cover raster keeps its palette, and overviews hold only real classes", async () => {
  const input = await makePalettedGeoTiff(scratch);
  const run = await cog(input, { preview: { format: "png", max_size: 300 } });
  const out = await info(run.file("cog"));
  assert.equal(out.bands[0]?.colorInterpretation, "Palette");
  const source = await info(input);
  assert.deepEqual(out.bands[0]?.colorTable?.entries, source.bands[0]?.colorTable?.entries);
  assert.deepEqual(out.bands[0]?.colorTable?.entries.slice(0, 11).at(10), [200, 180, 60, 255]);
  assert.equal(out.bands[0]?.overviews?.length, 2);
  for (const level of [0, 1]) assert.deepEqual(await valuesPresent(run.file("cog"), level), CLASSES);
  // Averaging would have invented values that are no class at all: this is what NEAREST prevents.
  const averaged = await cog(input, { resampling: "average", preview: false });
  assert.notDeepEqual(await valuesPresent(averaged.file("cog"), 0), CLASSES);
});

void test("web_optimized reprojects to web mercator on the GoogleMapsCompatible grid", async () => {
  const run = await cog(geotiff("riocogeo_image_rgba.tif"), { web_optimized: true, preview: false });
  const out = await info(run.file("cog"));
  assert.match(out.coordinateSystem?.wkt ?? "", /Pseudo-Mercator|3857/);
  assert.equal(out.metadata.IMAGE_STRUCTURE?.LAYOUT, "COG");
  assert.equal((await validateCog(run.file("cog"))).valid, true);
});

void test("a 6000 px stripped raster becomes a tiled COG with overviews (timed against plain gdal_translate)", async () => {
  const input = geotiff("derived_large_rgb_6000px_striped.tif");
  const t0 = performance.now();
  const run = await cog(input, { preview: false });
  const ours = performance.now() - t0;
  const report = await validateCog(run.file("cog"));
  assert.equal(report.valid, true);
  assert.equal(report.details.tiled, true);
  assert.deepEqual(report.details.overviewSizes, [
    [3000, 3000],
    [1500, 1500],
    [750, 750],
    [375, 375],
  ]);

  const plain = join(scratch, "plain.tif");
  const t1 = performance.now();
  await execa("gdal_translate", ["-q", "-of", "COG", input, plain]);
  const theirs = performance.now() - t1;
  const [oursSize, plainSize] = [(await stat(run.file("cog"))).size, (await stat(plain)).size];
  console.log(`6000px COG: processor ${ours.toFixed(0)} ms (${oursSize} B); plain gdal_translate -of COG ${theirs.toFixed(0)} ms (${plainSize} B), ratio ${(ours / theirs).toFixed(2)}`);
  assert.ok(oursSize < plainSize, "deflate+predictor should beat the driver's default LZW");
});

void test("a non-TIFF input is UNSUPPORTED_FORMAT, a truncated TIFF is INPUT_CORRUPT", async () => {
  const png = join(scratch, "not-a-tiff.tif");
  await writeFile(png, Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"));
  await assert.rejects(cog(png), (e: unknown) => e instanceof AppError && e.code === "UNSUPPORTED_FORMAT" && e.stage === "inspect");
  const cut = join(scratch, "truncated.tif");
  await writeFile(cut, (await readFile(geotiff("riocogeo_image_nodata.tif"))).subarray(0, 300_000));
  await assert.rejects(cog(cut), (e: unknown) => e instanceof AppError && e.code === "INPUT_CORRUPT" && /truncated/.test(e.message));
});

void test("jpeg on Int16 data and a file-path SRS are refused as bad params", async () => {
  await assert.rejects(cog(geotiff("riocogeo_image_nodata.tif"), { compression: "jpeg" }), (e: unknown) => e instanceof AppError && e.code === "INVALID_PARAMS");
  assert.equal(geotiffCogProcessor.params.safeParse({ target_srs: "/etc/passwd" }).success, false);
  assert.equal(geotiffCogProcessor.params.safeParse({ web_optimized: true, target_srs: "EPSG:4326" }).success, false);
});

void test("cancelling stops gdal_translate with CANCELLED", async () => {
  const controller = new AbortController();
  const started = runStages(geotiffCogProcessor, geotiff("derived_large_rgb_6000px_striped.tif"), { preview: false }, { signal: controller.signal });
  setTimeout(() => controller.abort(), 1500);
  await assert.rejects(started, (e: unknown) => e instanceof AppError && e.code === "CANCELLED" && e.stage === "cog");
});
