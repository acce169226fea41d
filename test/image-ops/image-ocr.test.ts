import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { AppError } from "../../src/contracts/app-error.ts";
import { createImageOcrProcessor, imageOcrProcessor, upscaleFactor } from "../../src/processors/image-ops/ocr/image-ocr.processor.ts";
import type { OcrDocument } from "../../src/processors/image-ops/ocr/ocr-result.ts";
import { cleanupRuns, runStages } from "../helpers/run-stages.ts";
import { renderText, scratchFile } from "./image-ops-helpers.ts";

after(cleanupRuns);

const LINES = ["Invoice number 48213", "Delivered to Harbour Street", "Total amount due today"];
const words = (lines: readonly string[]) => lines.flatMap((l) => l.split(" "));
const readDoc = async (outDir: string) => JSON.parse(await readFile(join(outDir, "ocr.json"), "utf8")) as OcrDocument;

test("image_ocr reads rendered text: the words match, with line and word boxes inside the image and confidences", { timeout: 60_000 }, async () => {
  const file = await scratchFile("page.png", await renderText(LINES));
  const r = await runStages(imageOcrProcessor, file, { hocr: true, pdf: true });
  assert.deepEqual(
    r.allOutputs.map((o) => o.path),
    ["ocr.json", "ocr.hocr", "ocr.pdf"],
  );
  const doc = await readDoc(r.outDir);
  assert.deepEqual(
    doc.lines.map((l) => l.text),
    LINES,
  );
  assert.deepEqual(
    doc.lines.flatMap((l) => l.words.map((w) => w.text)),
    words(LINES),
  );
  assert.equal(doc.word_count, words(LINES).length);
  assert.ok(doc.confidence > 80, `confident on clean text (${doc.confidence})`);
  const meta = await sharp(file).metadata();
  assert.deepEqual([doc.width, doc.height], [meta.width, meta.height]);
  for (const line of doc.lines) {
    for (const w of line.words) {
      assert.ok(w.bbox.x0 >= line.bbox.x0 - 1 && w.bbox.x1 <= line.bbox.x1 + 1 && w.bbox.x0 < w.bbox.x1 && w.bbox.y0 < w.bbox.y1, `word ${w.text} inside its line`);
      assert.ok(w.bbox.x1 <= doc.width && w.bbox.y1 <= doc.height);
    }
  }
  // Lines are top to bottom, 72 px apart as rendered (font 40, line height 1.8)
  const tops = doc.lines.map((l) => l.bbox.y0);
  assert.ok(tops[1]! - tops[0]! > 60 && tops[1]! - tops[0]! < 84, `line spacing ${tops.join(",")}`);
  assert.match(await readFile(join(r.outDir, "ocr.hocr"), "utf8"), /ocrx_word[^>]*>Harbour</);
  assert.equal((await readFile(join(r.outDir, "ocr.pdf"))).subarray(0, 5).toString(), "%PDF-");
});

test("preprocessing: an EXIF-rotated JPEG is read upright, and small text is enlarged before recognition (boxes in input pixels)", { timeout: 60_000 }, async () => {
  // Stored turned 90° counter-clockwise with orientation 6 ("rotate 90° clockwise to view").
  const upright = await renderText(["Rotated camera photo"], { format: "jpeg" });
  const sideways = await sharp(upright).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
  const file = await scratchFile("sideways.jpg", sideways);
  const doc = await readDoc((await runStages(imageOcrProcessor, file, {})).outDir);
  assert.equal(doc.text, "Rotated camera photo");
  const meta = await sharp(upright).metadata();
  assert.deepEqual([doc.width, doc.height], [meta.width, meta.height], "boxes are in the upright frame");

  const tiny = await scratchFile("tiny.png", await renderText(["Small print matters"], { fontSize: 8, width: 200 }));
  const enlarged = await readDoc((await runStages(imageOcrProcessor, tiny, {})).outDir);
  assert.equal(enlarged.upscale, 3);
  assert.equal(enlarged.text, "Small print matters");
  const asIs = await readDoc((await runStages(imageOcrProcessor, tiny, { upscale: 1 })).outDir);
  assert.notEqual(asIs.text, "Small print matters", "without enlarging, 8 px text is misread");
  assert.ok(enlarged.lines[0]!.bbox.x1 <= 200, "boxes scaled back to the 200 px input");
  assert.equal(upscaleFactor("auto", 3000, 2000, 268_402_689), 1);
  assert.equal(upscaleFactor(4, 6000, 1000, 268_402_689), 8000 / 6000, "capped at an 8000 px long edge");
});

test("image_ocr: min_confidence filters words; an uninstalled language is INVALID_PARAMS; a pixel bomb INPUT_TOO_LARGE before decoding", { timeout: 60_000 }, async () => {
  const file = await scratchFile("page.png", await renderText(LINES.slice(0, 1)));
  const none = await readDoc((await runStages(imageOcrProcessor, file, { min_confidence: 100 })).outDir);
  assert.equal(none.word_count, 0);
  await assert.rejects(runStages(imageOcrProcessor, file, { languages: ["deu"] }), (e: unknown) => e instanceof AppError && e.code === "INVALID_PARAMS" && /deu/.test(e.message));
  assert.equal(imageOcrProcessor.params.safeParse({ languages: ["../../etc"] }).success, false, "language codes are checked by the schema");
  await assert.rejects(runStages(createImageOcrProcessor({ limitInputPixels: 1000 }), file, {}), (e: unknown) => e instanceof AppError && e.code === "INPUT_TOO_LARGE");
});
