import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import sharp from "sharp";
import { fixture } from "../helpers/fixtures.ts";
import { ImageThumbnailParams, imageThumbnailProcessor } from "../../src/processors/image/image-thumbnail.processor.ts";
import { cleanupRuns, runStages } from "../helpers/run-stages.ts";

after(cleanupRuns);

void test("an EXIF orientation 6 photo gives an upright landscape thumbnail with a 256 px long edge", async () => {
  // Stored as 1200×1800 portrait pixels with orientation 6: upright it is an 1800×1200 landscape.
  const run = await runStages(imageThumbnailProcessor, fixture("images", "recurser_Landscape_6.jpg"), {});
  assert.deepEqual(run.allOutputs, [{ path: "thumbnails/256.webp", type: "thumbnail", format: "webp", contentType: "image/webp" }]);
  const meta = await sharp(run.file()).metadata();
  assert.equal(meta.format, "webp");
  assert.equal(meta.width, 256);
  assert.equal(meta.height, 171);
  assert.equal(meta.orientation, undefined, "no orientation tag left for a viewer to apply twice");
});

void test("an EXIF orientation 3 photo is turned the right way up, not just kept landscape", async () => {
  const run = await runStages(imageThumbnailProcessor, fixture("images", "recurser_Landscape_3.jpg"), { sizes: [64], format: "png" });
  const upright = await runStages(imageThumbnailProcessor, fixture("images", "recurser_Landscape_6.jpg"), { sizes: [64], format: "png" });
  // Both files show the same scene upright; a 180° miss would make the two thumbnails differ wildly.
  const [a, b] = await Promise.all([run.file(), upright.file()].map((f) => sharp(f).greyscale().raw().toBuffer()));
  assert.ok(a && b && a.length === b.length);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff += Math.abs(a[i]! - b[i]!);
  assert.ok(diff / a.length < 20, `mean difference ${diff / a.length} between the two upright thumbnails`);
  const flipped = await sharp(run.file()).rotate(180).greyscale().raw().toBuffer();
  let flippedDiff = 0;
  for (let i = 0; i < a.length; i++) flippedDiff += Math.abs(flipped[i]! - b[i]!);
  assert.ok(flippedDiff > diff * 2, "the thumbnail must not match the upside-down orientation better");
});

void test("each size is its own resumable stage, duplicates collapse, and progress brackets every stage", async () => {
  const def = imageThumbnailProcessor;
  const params = ImageThumbnailParams.parse({ sizes: [128, 64, 128], format: "jpeg" });
  assert.deepEqual(
    def.stages(params).map((s) => [s.name, s.label]),
    [
      ["thumbnail_128", "Thumbnail 128 px"],
      ["thumbnail_64", "Thumbnail 64 px"],
    ],
  );
  const run = await runStages(def, fixture("images", "recurser_Landscape_3.jpg"), params);
  assert.deepEqual(
    run.allOutputs.map((o) => o.path),
    ["thumbnails/128.jpg", "thumbnails/64.jpg"],
  );
  assert.deepEqual((await readdir(`${run.outDir}/thumbnails`)).sort(), ["128.jpg", "64.jpg"], "no partial files left behind");
  for (const stage of ["thumbnail_128", "thumbnail_64"]) {
    const reports = run.progress.filter((p) => p.stage === stage);
    assert.deepEqual([reports[0]?.done, reports.at(-1)?.done, reports.at(-1)?.total], [0, 1, 1], stage);
  }
});

void test("a size larger than the image gives the image at its own size, never upscaled", async () => {
  const run = await runStages(imageThumbnailProcessor, fixture("images", "recurser_Landscape_6.jpg"), { sizes: [4096], format: "webp" });
  const meta = await sharp(run.file()).metadata();
  assert.deepEqual([meta.width, meta.height], [1800, 1200]);
  assert.equal(run.allOutputs[0]?.path, "thumbnails/4096.webp");
});

void test("every thumbnail format decodes as that format, in sRGB without metadata", async () => {
  const expected = { webp: "webp", avif: "heif", jpeg: "jpeg", png: "png" } as const;
  for (const [format, sharpName] of Object.entries(expected)) {
    const run = await runStages(imageThumbnailProcessor, fixture("images", "recurser_Landscape_6.jpg"), { sizes: [96], format, quality: 70 });
    const meta = await sharp(run.file()).metadata();
    assert.equal(meta.format, sharpName, format);
    assert.equal(Math.max(meta.width, meta.height), 96, format);
    assert.equal(meta.space, "srgb", format);
    assert.equal(meta.exif, undefined, `${format}: EXIF stripped`);
    assert.equal(meta.icc, undefined, `${format}: no ICC profile (sRGB implied)`);
  }
});

void test("a CMYK JPEG becomes an sRGB thumbnail", async () => {
  const run = await runStages(imageThumbnailProcessor, fixture("images", "derived_cmyk.jpg"), { sizes: [128], format: "jpeg" });
  const meta = await sharp(run.file()).metadata();
  assert.equal(meta.space, "srgb");
  assert.equal(meta.channels, 3);
});

void test("an animated GIF gives a still thumbnail of its first frame", async () => {
  const run = await runStages(imageThumbnailProcessor, fixture("images", "derived_anim.gif"), { sizes: [160], format: "webp" });
  const meta = await sharp(run.file()).metadata();
  assert.equal(meta.pages ?? 1, 1);
  assert.deepEqual([meta.width, meta.height], [160, 120]);
});

void test("params are validated: sizes must be positive integers, quality 1-100, format known", () => {
  for (const bad of [{ sizes: [0] }, { sizes: [12.5] }, { sizes: [] }, { quality: 101 }, { format: "gif" }]) {
    assert.equal(ImageThumbnailParams.safeParse(bad).success, false, JSON.stringify(bad));
  }
  assert.deepEqual(ImageThumbnailParams.parse({}), { sizes: [256], format: "webp" });
});
