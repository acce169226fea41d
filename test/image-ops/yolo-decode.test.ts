import { test } from "node:test";
import assert from "node:assert/strict";
import { letterbox, unletterbox } from "../../src/processors/image-ops/detect/letterbox.ts";
import { onnxMetadata, parseClassNames } from "../../src/processors/image-ops/detect/onnx-metadata.ts";
import { decodeYolo, iou, nonMaxSuppression, outputShape } from "../../src/processors/image-ops/detect/yolo-decode.ts";
import { buildYoloTestModel, yoloOutput } from "./onnx-model-builder.ts";

test("outputShape: YOLOv8 channel-first, its transpose, and YOLOv5 with objectness", () => {
  assert.deepEqual(outputShape([1, 84, 8400], 80), { layout: "channels_first", objectness: false, candidates: 8400, classes: 80 });
  assert.deepEqual(outputShape([1, 8400, 84], 80), { layout: "channels_last", objectness: false, candidates: 8400, classes: 80 });
  assert.deepEqual(outputShape([1, 25200, 85], 80), { layout: "channels_last", objectness: true, candidates: 25200, classes: 80 });
  assert.deepEqual(outputShape([1, 84, 8400], undefined), { layout: "channels_first", objectness: false, candidates: 8400, classes: 80 });
  assert.deepEqual(outputShape([1, 6, 1], undefined), { layout: "channels_first", objectness: false, candidates: 1, classes: 2 }, "one candidate: the short axis is N");
  assert.deepEqual(outputShape([1, 2, 6], undefined), { layout: "channels_last", objectness: false, candidates: 2, classes: 2 });
  assert.throws(() => outputShape([1, 2, 3, 4], 1));
});

test("decodeYolo reads both layouts alike; objectness multiplies; threshold keeps >= only", () => {
  const rows = [
    [10, 20, 4, 8, 0.3, 0.6],
    [50, 50, 10, 10, 0.2, 0.1],
  ];
  const first = decodeYolo(yoloOutput(rows, 2), { layout: "channels_first", objectness: false, candidates: 2, classes: 2 }, 0.2, null);
  const last = decodeYolo(Float32Array.from(rows.flat()), { layout: "channels_last", objectness: false, candidates: 2, classes: 2 }, 0.2, null);
  assert.deepEqual(first, last);
  assert.deepEqual(
    first.map((c) => [c.classId, Math.round(c.confidence * 100), c.box.x0, c.box.y0, c.box.x1, c.box.y1]),
    [
      [1, 60, 8, 16, 12, 24],
      [0, 20, 45, 45, 55, 55],
    ],
  );
  const v5 = decodeYolo(Float32Array.from([10, 20, 4, 8, 0.5, 0.3, 0.6]), { layout: "channels_last", objectness: true, candidates: 1, classes: 2 }, 0.29, null);
  assert.equal(v5.length, 1);
  assert.ok(Math.abs(v5[0]!.confidence - 0.3) < 1e-6);
  assert.equal(decodeYolo(Float32Array.from([10, 20, 4, 8, 0.5, 0.3, 0.6]), { layout: "channels_last", objectness: true, candidates: 1, classes: 2 }, 0.31, null).length, 0);
});

test("NMS: per class, greedy by confidence, IoU above the threshold suppressed, capped", () => {
  const box = (x: number) => ({ x0: x, y0: 0, x1: x + 10, y1: 10 });
  assert.equal(iou(box(0), box(5)), 50 / 150);
  assert.equal(iou(box(0), box(20)), 0);
  const c = [
    { classId: 0, confidence: 0.5, box: box(5) },
    { classId: 0, confidence: 0.9, box: box(0) },
    { classId: 1, confidence: 0.8, box: box(0) },
    { classId: 0, confidence: 0.4, box: box(30) },
  ];
  assert.deepEqual(
    nonMaxSuppression(c, 0.3, 10).map((k) => k.confidence),
    [0.9, 0.8, 0.4],
  );
  assert.deepEqual(
    nonMaxSuppression(c, 0.34, 10).map((k) => k.confidence),
    [0.9, 0.8, 0.5, 0.4],
  );
  assert.deepEqual(
    nonMaxSuppression(c, 0.3, 2).map((k) => k.confidence),
    [0.9, 0.8],
  );
});

test("letterbox and back: portrait and landscape, padding centred, boxes clipped", () => {
  const land = letterbox(1280, 720, 640, 640);
  assert.deepEqual(land, { scale: 0.5, width: 640, height: 360, left: 0, top: 140, inputWidth: 640, inputHeight: 640 });
  const portrait = letterbox(300, 600, 640, 640);
  assert.deepEqual([portrait.width, portrait.height, portrait.left, portrait.top], [320, 640, 160, 0]);
  assert.deepEqual(unletterbox({ x0: 160, y0: 0, x1: 480, y1: 640 }, portrait, 300, 600), { x0: 0, y0: 0, x1: 300, y1: 600 });
  assert.deepEqual(unletterbox({ x0: -50, y0: 100, x1: 700, y1: 200 }, land, 1280, 720), { x0: 0, y0: 0, x1: 1280, y1: 120 });
});

test("model metadata: names read from the ONNX file without a protobuf library, in ultralytics' and JSON forms", () => {
  const model = buildYoloTestModel({ size: 64, output: yoloOutput([[1, 1, 1, 1, 1, 0, 0]], 3), classes: 3, candidates: 1, names: "{0: 'person', 1: \"bi'cycle\", 2: 'car'}" });
  const meta = onnxMetadata(model);
  assert.equal(meta.names, "{0: 'person', 1: \"bi'cycle\", 2: 'car'}");
  assert.deepEqual(parseClassNames(meta.names), ["person", "bi'cycle", "car"]);
  assert.deepEqual(parseClassNames('["a","b"]'), ["a", "b"]);
  assert.deepEqual(parseClassNames('{"0":"a","2":"c"}'), ["a", "class_1", "c"]);
  assert.equal(parseClassNames(undefined), null);
  assert.equal(parseClassNames("rubbish"), null);
  assert.throws(() => onnxMetadata(Uint8Array.from([0x72, 0x10, 1])), /past its message|truncated/);
});
