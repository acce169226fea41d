import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import sharp from "sharp";
import { ResultMessage } from "../../src/contracts/result-message.ts";
import type { OcrDocument } from "../../src/processors/image-ops/ocr/ocr-result.ts";
import { fixture, REPO_ROOT } from "../helpers/fixtures.ts";
import { cleanupRuns } from "../helpers/run-stages.ts";
import { buildYoloTestModel, yoloOutput } from "./onnx-model-builder.ts";
import { renderText, scratchFile } from "./image-ops-helpers.ts";

after(cleanupRuns);

const VS3D = join(REPO_ROOT, "bin", "vs3d.js");

async function vs3dProcess(file: string, type: string, params: object, env: Record<string, string> = {}) {
  const cwd = await mkdtemp(join(tmpdir(), "vs3d-imgops-cli-"));
  const run = await execa(VS3D, ["process", file, "--type", type, "--params", JSON.stringify(params), "--out", "out", "--json"], { cwd, reject: false, env: { LOG_LEVEL: "silent", ...env } });
  const result = ResultMessage.parse(JSON.parse(run.stdout.trim().split("\n").at(-1)!));
  return { result, out: join(cwd, "out"), exitCode: run.exitCode };
}

test("image_process through vs3d process --json", { timeout: 120_000 }, async () => {
  const r = await vs3dProcess(fixture("images", "recurser_Landscape_3.jpg"), "image_process", {
    operations: [{ op: "resize", width: 320 }, { op: "grayscale" }, { op: "watermark", text: "© VS3D" }],
    format: "webp",
  });
  assert.equal(r.result.status, "completed", JSON.stringify(r.result));
  assert.equal(r.exitCode, 0);
  if (r.result.status !== "completed") return;
  assert.deepEqual(
    r.result.outputs.map((o) => [o.type, o.format]),
    [["image", "webp"]],
  );
  const meta = await sharp(join(r.out, "image.webp")).metadata();
  assert.deepEqual([meta.format, meta.width], ["webp", 320]);
});

test("image_ocr through vs3d process --json reads the rendered words", { timeout: 120_000 }, async () => {
  const lines = ["Service level report", "Uptime was excellent"];
  const file = await scratchFile("scan.png", await renderText(lines));
  const r = await vs3dProcess(file, "image_ocr", { hocr: true });
  assert.equal(r.result.status, "completed", JSON.stringify(r.result));
  const doc = JSON.parse(await readFile(join(r.out, "ocr.json"), "utf8")) as OcrDocument;
  assert.deepEqual(
    doc.lines.map((l) => l.text),
    lines,
  );
});

test("image_detect through vs3d process --json: DETECTION_MODEL from the environment reaches the worker", { timeout: 120_000 }, async () => {
  const model = await scratchFile("m.onnx", buildYoloTestModel({ size: 320, output: yoloOutput([[160, 160, 64, 32, 0.1, 0.9]], 2), classes: 2, candidates: 1, names: "{0: 'cat', 1: 'dog'}" }));
  const image = await scratchFile(
    "yard.png",
    await sharp({ create: { width: 640, height: 640, channels: 3, background: "#406080" } })
      .png()
      .toBuffer(),
  );
  const r = await vs3dProcess(image, "image_detect", { annotate: true }, { DETECTION_MODEL: model });
  assert.equal(r.result.status, "completed", JSON.stringify(r.result));
  if (r.result.status === "completed")
    assert.deepEqual(
      r.result.outputs.map((o) => o.type),
      ["detections", "annotated"],
    );
  const doc = JSON.parse(await readFile(join(r.out, "detections.json"), "utf8")) as { detections: Array<{ label: string; box: object }> };
  assert.deepEqual(
    doc.detections.map((d) => [d.label, d.box]),
    [["dog", { x0: 256, y0: 288, x1: 384, y1: 352 }]],
  );
});
