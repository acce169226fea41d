import { after, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { toImageError } from "../../src/processors/image/image-errors.ts";
import { fixture } from "../helpers/fixtures.ts";
import { cleanupRuns, scratchDir } from "../helpers/run-stages.ts";

after(cleanupRuns);

/** The real error libvips raises for this pipeline. */
async function sharpError(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return assert.fail("sharp should have failed");
}

void test("a full disk is INSUFFICIENT_DISK (retryable), not a damaged image", { skip: !existsSync("/dev/full") && "needs /dev/full" }, async () => {
  const error = await sharpError(() => sharp(fixture("images", "recurser_Landscape_3.jpg")).jpeg().toFile("/dev/full"));
  const mapped = toImageError(error, "convert", "decode");
  assert.equal(mapped.code, "INSUFFICIENT_DISK");
  assert.equal(mapped.recoverable, true);
  assert.equal(mapped.stage, "convert");
});

void test("a truncated input whose error also mentions the failed write is still INPUT_CORRUPT", async () => {
  const bytes = await readFile(fixture("images", "recurser_Landscape_3.jpg"));
  const dir = await scratchDir();
  const truncated = join(dir, "half.jpg");
  await writeFile(truncated, bytes.subarray(0, bytes.length / 2));
  // PNG output makes libvips append "vips2png: unable to write to target" after the real cause.
  const error = await sharpError(() => sharp(truncated).png().toFile(join(dir, "out.png")));
  assert.match(String(error), /unable to write/);
  const mapped = toImageError(error, "convert", "decode");
  assert.equal(mapped.code, "INPUT_CORRUPT");
  assert.equal(mapped.recoverable, false);
});
