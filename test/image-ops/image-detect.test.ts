import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { AppError } from "../../src/contracts/app-error.ts";
import { createImageDetectProcessor } from "../../src/processors/image-ops/detect/image-detect.processor.ts";
import { detectionReadiness } from "../../src/processors/image-ops/detect/detection-readiness.ts";
import type { Detection } from "../../src/processors/image-ops/detect/detect-params.ts";
import { cleanupRuns, runStages, scratchDir } from "../helpers/run-stages.ts";
import { buildYoloTestModel, yoloOutput } from "./onnx-model-builder.ts";
import { pixel, scratchFile } from "./image-ops-helpers.ts";

after(cleanupRuns);

/** Candidates in 640×640 model pixels, [cx, cy, w, h, person, car]. A 1280×720 image letterboxes
 * at scale 0.5 into 640×360, 140 px of padding above: source = (model − (0, 140)) / 0.5. */
const ROWS = [
  [320, 320, 100, 80, 0.9, 0.05], // A: person → (540, 280)–(740, 440)
  [325, 322, 100, 80, 0.8, 0.0], // B: person overlapping A (IoU ≈ 0.87): suppressed
  [320, 320, 100, 80, 0.1, 0.7], // C: car on A's box: another class, kept
  [500, 400, 60, 60, 0.05, 0.1], // D: below the 0.25 threshold
  [100, 200, 50, 50, 0.5, 0.2], // E: person → (150, 70)–(250, 170)
  [600, 150, 80, 40, 0.0, 0.6], // F: car reaching into the padding and past the right edge → clipped
];

let modelPath = "";
let image = "";
before(async () => {
  const dir = await scratchDir("vs3d-detect-");
  modelPath = join(dir, "yolo-test.onnx");
  await writeFile(modelPath, buildYoloTestModel({ size: 640, output: yoloOutput(ROWS, 2), classes: 2, candidates: ROWS.length, names: "{0: 'person', 1: 'car'}" }));
  image = await scratchFile(
    "street.png",
    await sharp({ create: { width: 1280, height: 720, channels: 3, background: "#808080" } })
      .png()
      .toBuffer(),
  );
});

const detect = async (params: object, path = modelPath, file = image) => {
  const r = await runStages(createImageDetectProcessor({ modelPath: () => path }), file, params);
  const doc = JSON.parse(await readFile(join(r.outDir, "detections.json"), "utf8")) as { width: number; height: number; input_size: number[]; count: number; detections: Detection[] };
  return { r, doc };
};
const summary = (ds: readonly Detection[]) => ds.map((d) => [d.label, d.confidence, d.box.x0, d.box.y0, d.box.x1, d.box.y1]);

test("image_detect on the built model: threshold, per-class NMS, letterbox un-mapping, clipping and labels from the model's metadata", { timeout: 60_000 }, async () => {
  const { doc, r } = await detect({});
  assert.deepEqual([doc.width, doc.height, ...doc.input_size], [1280, 720, 640, 640]);
  assert.deepEqual(summary(doc.detections), [
    ["person", 0.9, 540, 280, 740, 440],
    ["car", 0.7, 540, 280, 740, 440],
    ["car", 0.6, 1120, 0, 1280, 60],
    ["person", 0.5, 150, 70, 250, 170],
  ]);
  assert.deepEqual(
    doc.detections.map((d) => d.class_id),
    [0, 1, 1, 0],
  );
  assert.deepEqual(
    r.allOutputs.map((o) => o.path),
    ["detections.json"],
  );
});

test("image_detect params: confidence, iou, classes by label or id, max_detections, class_names", { timeout: 60_000 }, async () => {
  assert.deepEqual(
    (await detect({ confidence: 0.55 })).doc.detections.map((d) => d.confidence),
    [0.9, 0.7, 0.6],
  );
  assert.deepEqual(
    (await detect({ iou: 0.95 })).doc.detections.map((d) => d.confidence),
    [0.9, 0.8, 0.7, 0.6, 0.5],
    "B survives a looser NMS",
  );
  assert.deepEqual(
    (await detect({ classes: ["car"] })).doc.detections.map((d) => d.confidence),
    [0.7, 0.6],
  );
  assert.deepEqual(
    (await detect({ classes: [0], confidence: 0.01 })).doc.detections.map((d) => d.confidence),
    [0.9, 0.5, 0.05],
    "person scores only; C as a person is suppressed by A",
  );
  assert.equal((await detect({ max_detections: 2 })).doc.count, 2);
  assert.deepEqual(
    (await detect({ class_names: ["pedestrian", "vehicle"] })).doc.detections.map((d) => d.label),
    ["pedestrian", "vehicle", "vehicle", "pedestrian"],
  );
  await assert.rejects(detect({ classes: ["bicycle"] }), (e: unknown) => e instanceof AppError && e.code === "INVALID_PARAMS" && /bicycle/.test(e.message));
});

test("image_detect reads grey and alpha inputs (three channels into the model) and a portrait letterbox", { timeout: 60_000 }, async () => {
  const grey = await scratchFile(
    "grey.png",
    await sharp(Buffer.alloc(360 * 640, 119), { raw: { width: 360, height: 640, channels: 1 } })
      .toColourspace("b-w")
      .png()
      .toBuffer(),
  );
  assert.equal((await sharp(grey).metadata()).channels, 1);
  const { doc } = await detect({}, modelPath, grey);
  // 360×640 at scale 1, padded 140 px left: A's model box (270, 280)–(370, 360) → (130, 280)–(230, 360)
  assert.deepEqual(doc.detections[0]!.box, { x0: 130, y0: 280, x1: 230, y1: 360 });
  const alpha = await scratchFile(
    "alpha.png",
    await sharp({ create: { width: 1280, height: 720, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.5 } } })
      .png()
      .toBuffer(),
  );
  assert.equal((await detect({}, modelPath, alpha)).doc.count, 4);
});

test("a model with a dynamic input size is fed input_size (default 640)", { timeout: 60_000 }, async () => {
  const dynamic = join(await scratchDir("vs3d-detect-"), "dynamic.onnx");
  await writeFile(
    dynamic,
    buildYoloTestModel({
      size: 0,
      dynamic: true,
      output: yoloOutput(
        [
          [160, 160, 40, 20, 0.9, 0],
          [160, 20, 40, 20, 0.9, 0],
        ],
        2,
      ),
      classes: 2,
      candidates: 2,
    }),
  );
  const small = await detect({ input_size: 320 }, dynamic);
  assert.deepEqual(small.doc.input_size, [320, 320]);
  // 1280×720 into 320×320: scale 0.25, 70 px padding above: (140, 150)–(180, 170) → (560, 320)–(720, 400);
  // the second box lies wholly in the padding, so nothing of it is in the image: dropped
  assert.deepEqual(
    small.doc.detections.map((d) => d.box),
    [{ x0: 560, y0: 320, x1: 720, y1: 400 }],
  );
  assert.equal(small.doc.detections[0]!.label, "class_0", "no names metadata: class_<id>");
  assert.deepEqual((await detect({}, dynamic)).doc.input_size, [640, 640]);
});

test("image_detect annotate: the boxes are drawn on the upright image in their class colour", { timeout: 60_000 }, async () => {
  const { r } = await detect({ annotate: true, annotate_format: "png" });
  assert.deepEqual(
    r.allOutputs.map((o) => o.path),
    ["detections.json", "annotated.png"],
  );
  const annotated = join(r.outDir, "annotated.png");
  const meta = await sharp(annotated).metadata();
  assert.deepEqual([meta.width, meta.height], [1280, 720]);
  const [red, green, blue] = await pixel(annotated, 200, 170);
  assert.ok(red! > 180 && green! < 80, `person box edge drawn in red (${red},${green},${blue})`);
  const [r2, g2, b2] = await pixel(annotated, 640, 440);
  assert.ok(g2! > 150 && r2! < 100, `the car box over A's is green (${r2},${g2},${b2})`);
  assert.deepEqual((await pixel(annotated, 900, 600)).slice(0, 3), [128, 128, 128], "the rest untouched");
});

test("without a model: DETECTION_UNAVAILABLE, non-recoverable; a broken model file too; readiness says unavailable without failing", { timeout: 60_000 }, async () => {
  for (const path of [undefined, "/nonexistent/model.onnx", await scratchFile("junk.onnx", "this is not protobuf")]) {
    await assert.rejects(
      runStages(createImageDetectProcessor({ modelPath: () => path }), image, {}),
      (e: unknown) => e instanceof AppError && e.code === "DETECTION_UNAVAILABLE" && e.recoverable === false,
    );
  }
  assert.deepEqual(await detectionReadiness(undefined), { ok: true, available: false, detail: "detection unavailable: no DETECTION_MODEL configured (image_detect fails with DETECTION_UNAVAILABLE)" });
  assert.equal((await detectionReadiness(modelPath)).available, true);
  const missing = await detectionReadiness("/nonexistent/model.onnx");
  assert.deepEqual([missing.ok, missing.available], [true, false]);
});
