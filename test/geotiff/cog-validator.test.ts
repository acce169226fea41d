import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { AppError } from "../../src/contracts/app-error.ts";
import { assertValidCog, validateCog } from "../../src/processors/geotiff/cog-validator.ts";
import { fixture } from "../helpers/fixtures.ts";

const geotiff = (name: string) => fixture("geotiff", name);

void test("the COG written by GDAL 3.1 is valid", async () => {
  const report = await validateCog(geotiff("riocogeo_validate_image_COG_gdal3.1.tif"));
  assert.deepEqual(report.errors, []);
  assert.equal(report.valid, true);
});

// Expected messages are exactly what GDAL 3.6.2's validate_cloud_optimized_geotiff.py prints.
void test("overviews stored out of size order are refused, with GDAL's reasons", async () => {
  const report = await validateCog(geotiff("riocogeo_validate_image_sorted.tif"));
  assert.equal(report.valid, false);
  assert.deepEqual(report.errors, [
    "The offset of the main IFD should be 8. It is 642088 instead",
    "Overview of index 1 has larger dimension than overview of index 0",
    "The offset of the first block of overview of index 1 should be after the one of the overview of index 2",
    "The offset of the first block of overview of index 0 should be after the one of the overview of index 1",
    "The offset of the first block of the main resolution image should be after the one of the overview of index 2",
  ]);
});

void test("full-resolution data stored before its overview is refused", async () => {
  const report = await validateCog(geotiff("riocogeo_validate_image_dec.tif"));
  assert.deepEqual(report.errors, ["The offset of the first block of the main resolution image should be after the one of the overview of index 0"]);
});

void test("a COG edited in place (KNOWN_INCOMPATIBLE_EDITION ghost header) is refused", async () => {
  const report = await validateCog(geotiff("riocogeo_validate_image_known_incompatible_ghost_headers.tif"));
  assert.deepEqual(report.errors, ["KNOWN_INCOMPATIBLE_EDITION=YES is declared in the file"]);
});

void test("a large striped GeoTIFF is not a COG", async () => {
  const report = await validateCog(geotiff("derived_large_rgb_6000px_striped.tif"));
  assert.deepEqual(report.errors, ["The file is greater than 512xH or Wx512, but is not tiled"]);
  assert.equal(report.warnings.length, 1);
});

void test("assertValidCog throws INVALID_OUTPUT naming the reason", async () => {
  await assert.rejects(assertValidCog(geotiff("riocogeo_validate_image_dec.tif"), { stage: "validate" }), (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, "INVALID_OUTPUT");
    assert.equal(error.stage, "validate");
    assert.match(error.message, /main resolution image should be after/);
    return true;
  });
});

void test("BigTIFF COGs with overviews are read and valid; moving a block breaks the full check", async () => {
  const dir = await mkdtemp(join(tmpdir(), "vs3d-cogv-"));
  try {
    const out = join(dir, "big.tif");
    await execa("gdal_translate", ["-q", "-of", "COG", "-co", "BIGTIFF=YES", "-co", "BLOCKSIZE=256", geotiff("riocogeo_image_2000px.tif"), out]);
    const report = await validateCog(out);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.details.overviewSizes, [
      [750, 750],
      [375, 375],
      [187, 187],
    ]);

    // Corrupt the 4-byte size leader in front of the first block of the smallest overview.
    const bytes = await readFile(out);
    const leaderAt = report.details.dataOffsets.at(-1)! - 4;
    bytes.writeUInt32LE(bytes.readUInt32LE(leaderAt) + 1, leaderAt);
    await writeFile(out, bytes);
    const broken = await validateCog(out);
    assert.equal(broken.valid, false);
    assert.match(broken.errors.join("\n"), /size in leader bytes is/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test("non-TIFF and truncated files are invalid, not crashes", async () => {
  const dir = await mkdtemp(join(tmpdir(), "vs3d-cogv-"));
  try {
    const text = join(dir, "a.tif");
    await writeFile(text, "hello, not a tiff\n");
    assert.match((await validateCog(text)).errors[0]!, /not a TIFF/);
    const cut = join(dir, "cut.tif");
    await writeFile(cut, (await readFile(geotiff("riocogeo_validate_image_COG_gdal3.1.tif"))).subarray(0, 300));
    const report = await validateCog(cut);
    assert.equal(report.valid, false);
    assert.match(report.errors[0]!, /past the end of the file/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test("external .ovr overviews disqualify a COG", async () => {
  const dir = await mkdtemp(join(tmpdir(), "vs3d-cogv-"));
  try {
    const path = join(dir, "x.tif");
    await writeFile(path, await readFile(geotiff("riocogeo_validate_image_COG_gdal3.1.tif")));
    await writeFile(`${path}.ovr`, "");
    assert.deepEqual((await validateCog(path)).errors, ["Overviews found in external .ovr file. They should be internal"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
