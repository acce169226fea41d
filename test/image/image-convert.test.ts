import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import { fixture } from "../helpers/fixtures.ts";
import { ImageConvertParams, imageConvertProcessor } from "../../src/processors/image/image-convert.processor.ts";
import { cleanupRuns, runStages, scratchDir } from "../helpers/run-stages.ts";

const photo = fixture("images", "recurser_Landscape_6.jpg");
let transparentPng = "";

before(async () => {
  // Left half opaque red, right half fully transparent: no fixture has alpha, so make one.
  transparentPng = join(await scratchDir(), "half-transparent.png");
  const half = await sharp({ create: { width: 32, height: 32, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 1 } } })
    .png()
    .toBuffer();
  await sharp({ create: { width: 64, height: 32, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([{ input: half, left: 0, top: 0 }])
    .png()
    .toFile(transparentPng);
});
after(cleanupRuns);

async function pixel(file: string, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + info.channels)];
}

void test("every output format decodes as that format, upright, with the right name and content type", async () => {
  const expected = {
    jpeg: ["jpeg", "image.jpg", "image/jpeg"],
    png: ["png", "image.png", "image/png"],
    tiff: ["tiff", "image.tif", "image/tiff"],
    avif: ["heif", "image.avif", "image/avif"],
    webp: ["webp", "image.webp", "image/webp"],
  } as const;
  for (const [format, [sharpName, path, contentType]] of Object.entries(expected)) {
    const run = await runStages(imageConvertProcessor, photo, { format, width: 300 });
    assert.deepEqual(run.allOutputs, [{ path, type: "image", format, contentType }]);
    const meta = await sharp(run.file()).metadata();
    assert.equal(meta.format, sharpName, format);
    assert.deepEqual([meta.width, meta.height], [300, 200], `${format}: upright landscape`);
    assert.deepEqual([run.progress[0]?.done, run.progress.at(-1)?.done, run.progress.at(-1)?.stage], [0, 1, "convert"]);
  }
});

void test("metadata is stripped by default and kept (minus orientation, plus sRGB ICC) on request", async () => {
  const stripped = await sharp((await runStages(imageConvertProcessor, photo, { format: "jpeg" })).file()).metadata();
  assert.equal(stripped.exif, undefined);
  assert.equal(stripped.icc, undefined);
  assert.deepEqual([stripped.width, stripped.height], [1800, 1200]);

  const kept = await sharp((await runStages(imageConvertProcessor, photo, { format: "jpeg", strip_metadata: false })).file()).metadata();
  assert.ok(kept.exif && kept.exif.length > 100, "EXIF kept");
  assert.equal(kept.orientation, 1, "pixels are upright, so the tag must not rotate them again");
  assert.deepEqual([kept.width, kept.height], [1800, 1200]);
  assert.ok(kept.icc, "sRGB ICC profile attached");
});

void test("a CMYK JPEG converts to sRGB", async () => {
  for (const format of ["webp", "tiff"] as const) {
    const meta = await sharp((await runStages(imageConvertProcessor, fixture("images", "derived_cmyk.jpg"), { format })).file()).metadata();
    assert.equal(meta.space, "srgb", format);
    assert.equal(meta.channels, 3, format);
  }
});

void test("a 16-bit PNG becomes 8-bit WebP, and stays 16-bit as PNG", async () => {
  const rgb16 = fixture("images", "derived_rgb16.png");
  const webp = await sharp((await runStages(imageConvertProcessor, rgb16, { format: "webp" })).file()).metadata();
  assert.equal(webp.depth, "uchar");
  assert.equal(webp.space, "srgb");
  const png = await sharp((await runStages(imageConvertProcessor, rgb16, { format: "png" })).file()).metadata();
  assert.equal(png.depth, "ushort");
  const tif = await sharp((await runStages(imageConvertProcessor, fixture("images", "derived_rgb16_lzw.tif"), { format: "tiff" })).file()).metadata();
  assert.equal(tif.depth, "uchar");
});

void test("alpha is kept for png→webp and flattened onto white for jpeg", async () => {
  const webp = (await runStages(imageConvertProcessor, transparentPng, { format: "webp", quality: 100 })).file();
  assert.equal((await sharp(webp).metadata()).hasAlpha, true);
  assert.equal((await pixel(webp, 48, 16))[3], 0, "transparent half stays transparent");
  const jpeg = (await runStages(imageConvertProcessor, transparentPng, { format: "jpeg", quality: 95 })).file();
  const meta = await sharp(jpeg).metadata();
  assert.equal(meta.hasAlpha, false);
  const [r, g, b] = await pixel(jpeg, 48, 16);
  assert.ok(r! > 245 && g! > 245 && b! > 245, `transparent area is white, got ${r},${g},${b}`);
  const [rr, gg] = await pixel(jpeg, 8, 16);
  assert.ok(rr! > 230 && gg! < 30, "opaque red stays red");
});

void test("animation is kept for webp output and reduced to the first frame otherwise", async () => {
  for (const input of ["derived_anim.gif", "derived_anim.webp"]) {
    const run = await runStages(imageConvertProcessor, fixture("images", input), { format: "webp", width: 160 });
    const meta = await sharp(run.file()).metadata();
    assert.equal(meta.pages, 3, `${input}: all frames`);
    assert.deepEqual([meta.width, meta.pageHeight ?? meta.height], [160, 120], `${input}: each frame resized`);
  }
  for (const format of ["avif", "png", "jpeg"] as const) {
    const meta = await sharp((await runStages(imageConvertProcessor, fixture("images", "derived_anim.gif"), { format })).file()).metadata();
    assert.deepEqual([meta.width, meta.height, meta.pages ?? 1], [320, 240, 1], `${format}: one frame, not a strip of frames`);
  }
});

void test("a multi-page TIFF is a set of images, not an animation: webp output takes page one", async () => {
  const tiff = join(await scratchDir(), "three-pages.tif");
  await sharp(fixture("images", "derived_anim.gif"), { pages: -1 }).tiff().toFile(tiff);
  assert.equal((await sharp(tiff).metadata()).pages, 3);
  const meta = await sharp((await runStages(imageConvertProcessor, tiff, { format: "webp" })).file()).metadata();
  assert.deepEqual([meta.width, meta.height, meta.pages ?? 1], [320, 240, 1]);
});

void test("width/height/fit resize within the box and never enlarge", async () => {
  const cover = await sharp((await runStages(imageConvertProcessor, photo, { format: "png", width: 100, height: 100, fit: "cover" })).file()).metadata();
  assert.deepEqual([cover.width, cover.height], [100, 100]);
  const inside = await sharp((await runStages(imageConvertProcessor, photo, { format: "png", width: 100, height: 100 })).file()).metadata();
  assert.deepEqual([inside.width, inside.height], [100, 67]);
  const big = await sharp((await runStages(imageConvertProcessor, photo, { format: "webp", height: 5000 })).file()).metadata();
  assert.deepEqual([big.width, big.height], [1800, 1200]);
});

void test("an AVIF input converts", async () => {
  const meta = await sharp((await runStages(imageConvertProcessor, fixture("images", "filetype_fixture-yuv420-8bit.avif"), { format: "jpeg" })).file()).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ["jpeg", 2048, 858]);
});

void test("params are validated", () => {
  for (const bad of [{}, { format: "gif" }, { format: "png", width: 0 }, { format: "png", fit: "stretch" }, { format: "png", quality: 0 }]) {
    assert.equal(ImageConvertParams.safeParse(bad).success, false, JSON.stringify(bad));
  }
  assert.deepEqual(ImageConvertParams.parse({ format: "png" }), { format: "png", fit: "inside", strip_metadata: true });
});
