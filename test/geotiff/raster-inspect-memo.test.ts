import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { copyFile, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { AppError } from "../../src/contracts/app-error.ts";
import { geotiffCogProcessor } from "../../src/processors/geotiff/geotiff-cog.processor.ts";
import { inspectGeoTiff } from "../../src/processors/geotiff/raster-inspect.ts";
import type { StageContext } from "../../src/processors/processor.ts";
import { fixture } from "../helpers/fixtures.ts";
import { cleanupRuns, runStages, scratchDir } from "../helpers/run-stages.ts";
import { countingTools, type CountingTools } from "./counting-tools.ts";

let scratch = "";
let tools: CountingTools;
let copies = 0;

void before(async () => {
  scratch = await scratchDir();
  tools = await countingTools(scratch, ["gdalinfo", "gdalsrsinfo"]);
});
void after(cleanupRuns);

/** A fresh path for a fixture, so no earlier test's reading of it is remembered. */
async function freshCopy(name: string): Promise<string> {
  const path = join(scratch, `${++copies}-${name}`);
  await copyFile(fixture("geotiff", name), path);
  return path;
}

const gdalinfoOf = async (path: string) => (await tools.calls()).filter((c) => c.startsWith("gdalinfo ") && c.endsWith(` ${path}`));
type CogParams = ReturnType<typeof geotiffCogProcessor.params.parse>;
const stageNamed = (name: string, params: CogParams) => geotiffCogProcessor.stages(params).find((s) => s.name === name)!;
const ctx = (): StageContext => ({ signal: new AbortController().signal, progress: () => {}, log: () => {} });

void test("a COG task with a preview runs gdalinfo once per file it reads: the source once (was 3), the COG once (was 2)", async () => {
  const input = await freshCopy("riocogeo_image_nodata.tif");
  const run = await runStages(geotiffCogProcessor, input, {});
  assert.equal((await gdalinfoOf(input)).length, 1, "inspect reads the source; cog and validate reuse its facts");
  assert.equal((await gdalinfoOf(run.file("cog"))).length, 1, "validate reads the COG's own tags; the preview reads it with gdalinfo");
  assert.equal((await gdalinfoOf(join(run.workDir, "preview-source.tif"))).length, 1);
});

void test("a COG task without a preview runs gdalinfo on the source only (was source and COG) when the COG's tags show what the source had", async () => {
  for (const name of ["riocogeo_image_nodata.tif", "riocogeo_image_rgba.tif", "riocogeo_image_float.tif"]) {
    const input = await freshCopy(name);
    const run = await runStages(geotiffCogProcessor, input, { preview: false });
    assert.equal((await gdalinfoOf(input)).length, 1, name);
    assert.equal((await gdalinfoOf(run.file("cog"))).length, 0, `${name}: the tags settle fidelity`);
  }
});

void test("validate asks gdalinfo when the COG's tags cannot show the data type (8-bit signed), and the task passes", async () => {
  const input = join(scratch, `${++copies}-signed-byte.tif`);
  await execa("gdal_translate", ["-q", "-of", "GTiff", "-ot", "Byte", "-co", "PIXELTYPE=SIGNEDBYTE", fixture("geotiff", "riocogeo_image_nodata.tif"), input], { env: { GDAL_PAM_ENABLED: "NO" } });
  const run = await runStages(geotiffCogProcessor, input, { preview: false });
  assert.equal((await gdalinfoOf(input)).length, 1);
  assert.equal((await gdalinfoOf(run.file("cog"))).length, 1, "SampleFormat 2 with 8 bits is not one GDAL type for certain: gdalinfo decides");
});

void test("validate reads the COG that is there: one rewritten in place after an earlier read is read again", async () => {
  const input = await freshCopy("riocogeo_image_nodata.tif");
  const run = await runStages(geotiffCogProcessor, input, { preview: false });
  const cog = run.file("cog");
  const withoutNodata = join(scratch, `${++copies}-no-nodata.tif`);
  await execa("gdal_translate", ["-q", "-of", "COG", "-a_nodata", "none", input, withoutNodata], { env: { GDAL_PAM_ENABLED: "NO" } });
  await writeFile(cog, await readFile(withoutNodata));
  const params = geotiffCogProcessor.params.parse({ preview: false });
  const validate = stageNamed("validate", params);
  await assert.rejects(
    validate.run({ filePath: input, workDir: run.workDir, outDir: run.outDir, params, source: { key: "k/in.tif" }, previous: run.outputs }, ctx()),
    (e: unknown) => e instanceof AppError && e.code === "INVALID_OUTPUT" && /nodata -9999 became null/.test(e.message),
  );
  // The task's own COG passed by its tags; the rewritten one has no nodata tag, so gdalinfo decides.
  assert.equal((await gdalinfoOf(cog)).length, 1);
});

void test("a failed inspection is not remembered: a truncated input completed in place is read again and passes", async () => {
  const path = await freshCopy("riocogeo_image_nodata.tif");
  const whole = await readFile(path);
  await writeFile(path, whole.subarray(0, 300_000));
  const signal = new AbortController().signal;
  await assert.rejects(inspectGeoTiff(path, { signal, stage: "inspect" }), { code: "INPUT_CORRUPT" });
  // gdalinfo runs beside the structure check, so the failed inspection may have started it too.
  const afterFailure = (await gdalinfoOf(path)).length;
  await writeFile(path, whole);
  assert.equal((await inspectGeoTiff(path, { signal, stage: "inspect" })).dataType, "Int16");
  // A file with the same bytes at the same path but another inode is another file: read again.
  const twin = `${path}.twin`;
  await copyFile(path, twin);
  await rename(twin, path);
  await inspectGeoTiff(path, { signal, stage: "inspect" });
  assert.equal((await gdalinfoOf(path)).length, afterFailure + 2, "read again after the failure, and again as another inode");
});

void test("inspect checks target_srs and reads the raster side by side, and a bad SRS is still the failure it names", async (t) => {
  t.after(() => tools.setDelay(0));
  const input = await freshCopy("riocogeo_image_rgba.tif");
  const params = geotiffCogProcessor.params.parse({ target_srs: "EPSG:3857", preview: false });
  const inspect = stageNamed("inspect", params);
  tools.setDelay(2);
  const t0 = performance.now();
  await inspect.run({ filePath: input, workDir: scratch, outDir: scratch, params, source: { key: "k/in.tif" }, previous: {} }, ctx());
  const seconds = (performance.now() - t0) / 1000;
  // One after the other they take 4 s and more; side by side, 2 s and the tools' own time.
  assert.ok(seconds < 3.5, `gdalsrsinfo and gdalinfo (2 s each here) ran one after the other: ${seconds.toFixed(2)} s`);
  tools.setDelay(0);

  const notTiff = join(scratch, "not-a-tiff.tif");
  await writeFile(notTiff, "plain text");
  const badSrs = geotiffCogProcessor.params.parse({ target_srs: "EPSG:999999", preview: false });
  await assert.rejects(
    inspect.run({ filePath: notTiff, workDir: scratch, outDir: scratch, params: badSrs, source: { key: "k/in.tif" }, previous: {} }, ctx()),
    (e: unknown) => e instanceof AppError && e.code === "INVALID_PARAMS" && e.stage === "inspect",
  );
});

void test("validate names a bad layout when fidelity fails too, and then asks gdalinfo nothing", async () => {
  const input = await freshCopy("riocogeo_image_nodata.tif");
  const run = await runStages(geotiffCogProcessor, input, { preview: false });
  // A striped TIFF without the source's nodata: both checks fail.
  const striped = join(scratch, `${++copies}-striped.tif`);
  await execa("gdal_translate", ["-q", "-of", "GTiff", "-a_nodata", "none", input, striped], { env: { GDAL_PAM_ENABLED: "NO" } });
  await writeFile(run.file("cog"), await readFile(striped));
  const params = geotiffCogProcessor.params.parse({ preview: false });
  await assert.rejects(
    stageNamed("validate", params).run({ filePath: input, workDir: run.workDir, outDir: run.outDir, params, source: { key: "k/in.tif" }, previous: run.outputs }, ctx()),
    (e: unknown) => e instanceof AppError && e.code === "INVALID_OUTPUT" && /not a valid Cloud Optimized GeoTIFF/.test(e.message) && !/nodata/.test(e.message),
  );
  assert.equal((await gdalinfoOf(run.file("cog"))).length, 0);
});

void test("a truncated TIFF is INPUT_CORRUPT by the structure check's verdict while a slow gdalinfo still runs beside it", async (t) => {
  t.after(() => tools.setDelay(0));
  const path = await freshCopy("riocogeo_image_nodata.tif");
  await writeFile(path, (await readFile(path)).subarray(0, 300_000));
  tools.setDelay(1);
  await assert.rejects(
    inspectGeoTiff(path, { signal: new AbortController().signal, stage: "inspect" }),
    (e: unknown) => e instanceof AppError && e.code === "INPUT_CORRUPT" && /truncated/.test(e.message),
  );
});
