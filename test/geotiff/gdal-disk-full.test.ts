import { test } from "node:test";
import assert from "node:assert/strict";
import { runGdal } from "../../src/processors/geotiff/gdal-runner.ts";
import { fixture } from "../helpers/fixtures.ts";

test("GDAL running out of disk is INSUFFICIENT_DISK (retryable), not a corrupt input", { timeout: 30_000 }, async () => {
  await assert.rejects(
    runGdal("gdal_translate", ["-of", "GTiff", fixture("geotiff", "riocogeo_image_nodata.tif"), "/dev/full"], { signal: new AbortController().signal, stage: "cog" }),
    (error: { code?: string; recoverable?: boolean; stage?: string }) => {
      assert.equal(error.code, "INSUFFICIENT_DISK");
      assert.equal(error.recoverable, true);
      assert.equal(error.stage, "cog");
      return true;
    },
  );
});
