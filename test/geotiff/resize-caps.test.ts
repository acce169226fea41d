import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { AppError } from "../../src/contracts/app-error.ts";
import { geotiffCogProcessor } from "../../src/processors/geotiff/geotiff-cog.processor.ts";
import { geotiffResizeProcessor } from "../../src/processors/geotiff/geotiff-resize.processor.ts";
import { fixture } from "../helpers/fixtures.ts";
import { cleanupRuns, runStages, scratchDir } from "../helpers/run-stages.ts";

let scratch = "";
void before(async () => {
  scratch = await scratchDir();
});
void after(cleanupRuns);

async function failure(run: Promise<unknown>): Promise<AppError> {
  const e = await run.then(
    () => assert.fail("expected a failure"),
    (error: unknown) => error,
  );
  assert.ok(e instanceof AppError, String(e));
  return e;
}

void test("defect 5: width 63 000 on the 250 KB 1500 px raster is INPUT_TOO_LARGE within seconds, before gdal_translate writes anything", async () => {
  const root = join(scratch, "wide");
  const t0 = Date.now();
  const e = await failure(runStages(geotiffResizeProcessor, fixture("geotiff", "riocogeo_image_2000px.tif"), { width: 63_000 }, { root }));
  assert.equal(e.code, "INPUT_TOO_LARGE", e.message);
  assert.match(e.message, /63000x63000 pixels, over 256× the input.s 1500x1500 pixels/);
  assert.ok(Date.now() - t0 < 10_000, `refused in ${Date.now() - t0} ms`);
  assert.deepEqual(await readdir(join(root, "out")), [], "no output was started");
});

void test("defect 5: the output is capped from the input: a 100 px raster may not become 20 000 px wide", async () => {
  const small = join(scratch, "small.tif");
  await execa("gdal_translate", ["-q", "-outsize", "100", "100", fixture("geotiff", "riocogeo_image_2000px.tif"), small], { env: { GDAL_PAM_ENABLED: "NO" } });
  const e = await failure(runStages(geotiffResizeProcessor, small, { width: 20_000 }, { root: join(scratch, "up") }));
  assert.equal(e.code, "INPUT_TOO_LARGE");
  assert.match(e.message, /256× the input's 100x100 pixels/);
  // Within the free allowance (8 000² px), any input may be upscaled.
  const ok = await runStages(geotiffResizeProcessor, small, { width: 1000, output: "gtiff" }, { root: join(scratch, "ok") });
  assert.ok(ok.allOutputs.length >= 1);
});

void test("defect 8: target_srs EPSG:999999 (and an unknown +proj) is INVALID_PARAMS in the inspect stage, not TOOL_FAILED", async () => {
  for (const srs of ["EPSG:999999", "+proj=nosuch"]) {
    const e = await failure(runStages(geotiffCogProcessor, fixture("geotiff", "riocogeo_image_2000px.tif"), { target_srs: srs }, { root: join(scratch, `srs-${srs.length}`) }));
    assert.equal(e.code, "INVALID_PARAMS", e.message);
    assert.equal(e.stage, "inspect");
    assert.match(e.message, /not a coordinate system PROJ knows/);
  }
});
