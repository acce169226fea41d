import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../../src/contracts/app-error.ts";
import type { ErrorCode } from "../../src/contracts/error-codes.ts";
import type { ProcessorDefinition } from "../../src/processors/processor.ts";
import { createImageConvertProcessor, imageConvertProcessor } from "../../src/processors/image/image-convert.processor.ts";
import { imageThumbnailProcessor } from "../../src/processors/image/image-thumbnail.processor.ts";
import { fixture } from "../helpers/fixtures.ts";
import { cleanupRuns, runStages, scratchDir } from "../helpers/run-stages.ts";

let scratch = "";
before(async () => {
  scratch = await scratchDir();
});
after(cleanupRuns);

async function failure<P>(def: ProcessorDefinition<P>, params: unknown, filePath: string, root?: string): Promise<AppError> {
  try {
    await runStages(def, filePath, params, root === undefined ? {} : { root });
  } catch (error) {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    return error;
  }
  assert.fail("the stage should have failed");
}

function assertCode(error: AppError, code: ErrorCode, stage: string, message: RegExp): void {
  assert.equal(error.code, code, error.message);
  assert.equal(error.stage, stage);
  assert.equal(error.recoverable, false, "bad input never gets better on retry");
  assert.match(error.message, message);
}

void test("a 400 Mpx pixel bomb is refused from its header, fast, naming the pixel count", async () => {
  const started = performance.now();
  const error = await failure(imageThumbnailProcessor, {}, fixture("images", "derived_pixelbomb_20000x20000_gray.png"));
  assertCode(error, "INPUT_TOO_LARGE", "thumbnail_256", /20000×20000 px = 400,000,000 pixels.*268,402,689/);
  assert.ok(performance.now() - started < 1000, "decoding 400 Mpx would take far longer than reading a header");
});

void test("the pixel limit is a node option, and counts every frame an animated output decodes", async () => {
  const strict = createImageConvertProcessor({ limitInputPixels: 320 * 240 * 2 });
  const gif = fixture("images", "derived_anim.gif");
  assertCode(await failure(strict, { format: "webp" }, gif), "INPUT_TOO_LARGE", "convert", /× 3 frames = 230,400 pixels/);
  // Only the first frame is decoded for a still output, so the same file passes.
  const run = await runStages(strict, gif, { format: "png" });
  assert.equal(run.allOutputs.length, 1);
});

void test("a JPEG cut in half is INPUT_CORRUPT and leaves no output behind", async () => {
  const bytes = await readFile(fixture("images", "recurser_Landscape_3.jpg"));
  const truncated = join(scratch, "half.jpg");
  await writeFile(truncated, bytes.subarray(0, bytes.length / 2));
  for (const [def, params, stage] of [
    [imageThumbnailProcessor, { sizes: [64] }, "thumbnail_64"],
    [imageConvertProcessor, { format: "png" }, "convert"],
  ] as const) {
    const root = await scratchDir();
    const error = await failure(def as ProcessorDefinition<unknown>, params, truncated, root);
    assertCode(error, "INPUT_CORRUPT", stage, /damaged or truncated/);
    const left = await readdir(join(root, "out"), { recursive: true, withFileTypes: true });
    assert.deepEqual(
      left.filter((e) => e.isFile()).map((e) => e.name),
      [],
      "no partial output for the uploader to pick up",
    );
  }
});

void test("a text file and a LAS point cloud are UNSUPPORTED_FORMAT", async () => {
  const text = join(scratch, "notes.jpg");
  await writeFile(text, "this is not a picture, whatever its name says\n".repeat(20));
  for (const file of [text, fixture("pointcloud", "laspy_simple.las")]) {
    assertCode(await failure(imageConvertProcessor, { format: "webp" }, file), "UNSUPPORTED_FORMAT", "convert", /not an image format this task reads/);
  }
});

void test("an empty file and a missing file get their own codes", async () => {
  const empty = join(scratch, "empty.png");
  await writeFile(empty, "");
  assertCode(await failure(imageThumbnailProcessor, {}, empty), "UNSUPPORTED_FORMAT", "thumbnail_256", /not an image format/);
  assertCode(await failure(imageThumbnailProcessor, {}, join(scratch, "absent.png")), "INPUT_NOT_FOUND", "thumbnail_256", /missing/);
});

void test("HEIC (HEVC) says why it cannot be decoded here", async () => {
  const error = await failure(imageThumbnailProcessor, {}, fixture("images", "filetype_fixture-mif1.heic"));
  // This node's prebuilt libvips has no HEVC decoder; if a build ever has one, the HEIC simply converts.
  assertCode(error, "UNSUPPORTED_FORMAT", "thumbnail_256", /HEIC.*HEVC decoder/);
});

void test("an animated AVIF sequence is refused with a message that names it", async () => {
  const error = await failure(imageConvertProcessor, { format: "webp" }, fixture("images", "filetype_fixture-sequence.avif"));
  assertCode(error, "UNSUPPORTED_FORMAT", "convert", /Animated AVIF/);
});

void test("an SVG is refused rather than rasterised", async () => {
  const svg = join(scratch, "drawing.svg");
  await writeFile(svg, `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>`);
  assertCode(await failure(imageConvertProcessor, { format: "png" }, svg), "UNSUPPORTED_FORMAT", "convert", /svg/);
});

void test("a task aborted before its stage runs writes nothing and rejects with the abort reason", async () => {
  const root = await scratchDir();
  const controller = new AbortController();
  controller.abort(new Error("cancelled by user"));
  const params = imageConvertProcessor.params.parse({ format: "png" });
  const [stage] = imageConvertProcessor.stages(params);
  assert.ok(stage);
  await assert.rejects(
    stage.run(
      { filePath: fixture("images", "recurser_Landscape_3.jpg"), workDir: join(root, "work"), outDir: join(root, "out"), params, source: { key: "x.jpg" }, previous: {} },
      { signal: controller.signal, progress: () => {}, log: () => {} },
    ),
    /cancelled by user/,
  );
  assert.deepEqual(await readdir(root), []);
});
