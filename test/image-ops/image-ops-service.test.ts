import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { embeddedEnv, taskMessage } from "../helpers/embedded-env.ts";
import { fixture } from "../helpers/fixtures.ts";
import { startServiceProcess, waitFor } from "../helpers/service-process.ts";
import { quadrants } from "./image-ops-helpers.ts";

interface View {
  state: string;
  outputs: Array<{ path?: string; key?: string; type: string }>;
  error: { code: string; message: string; recoverable: boolean } | null;
}

test(
  "the embedded service: image_process batch with a bad input, image_detect without a model, bad operation params; /health/ready says detection is unavailable but stays ready",
  { timeout: 150_000 },
  async () => {
    const sandbox = await embeddedEnv();
    await sandbox.put("in", "shoot/a.png", await quadrants(300, 200));
    await sandbox.put("in", "shoot/b.jpg", await readFile(fixture("images", "recurser_Landscape_3.jpg")));
    await sandbox.put("in", "shoot/c.jpg", "not a jpeg");
    await sandbox.put(
      "in",
      "shoot/brand/logo.png",
      await sharp({ create: { width: 30, height: 30, channels: 3, background: "#0000ff" } })
        .png()
        .toBuffer(),
    );
    const svc = await startServiceProcess({ ...sandbox.env, DETECTION_MODEL: "" });
    /** 202 for an accepted task; a task refused at acceptance (bad params) is recorded as failed and
     * answered 422 with its error. */
    const submit = async (msg: Record<string, unknown>) => {
      const res = await fetch(`${svc.url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(msg) });
      const text = await res.text();
      assert.ok(res.status === 202 || (res.status === 422 && /INVALID_PARAMS/.test(text)), `${res.status} ${text}`);
      return msg.task_id as string;
    };
    const settled = (id: string) =>
      waitFor(
        `task ${id} to settle`,
        async () => {
          const v = (await (await fetch(`${svc.url}/tasks/${id}`)).json()) as View;
          return v.state === "completed" || v.state === "failed" ? v : null;
        },
        90_000,
      );
    try {
      const ready = await fetch(`${svc.url}/health/ready`);
      const body = (await ready.json()) as { status: string; checks: Record<string, { ok: boolean; available?: boolean; detail?: string }> };
      assert.equal(ready.status, 200, JSON.stringify(body));
      assert.equal(body.checks.detection?.available, false);
      assert.match(body.checks.detection?.detail ?? "", /no DETECTION_MODEL/);

      // batch.prefix "shoot/" also lists shoot/brand/logo.png: it is an input of this batch too
      const batch = taskMessage({
        task_type: "image_process",
        source: { bucket: "in", key: "shoot/a.png" },
        params: { operations: [{ op: "resize", width: 100 }, { op: "flop" }], format: "png", batch: { prefix: "shoot/" } },
      });
      const detect = taskMessage({ task_type: "image_detect", source: { bucket: "in", key: "shoot/a.png" }, params: {} });
      const badOps = taskMessage({
        task_type: "image_process",
        source: { bucket: "in", key: "shoot/a.png" },
        params: {
          operations: [
            { op: "blur", sigma: 2 },
            { op: "blur", sigma: -1 },
          ],
          format: "png",
        },
      });
      const keyed = taskMessage({
        task_type: "image_process",
        source: { bucket: "in", key: "shoot/a.png" },
        params: {
          operations: [{ op: "watermark", image_key: "shoot/brand/logo.png", gravity: "southeast", opacity: 1, margin: 0, scale: 0.1 }],
          format: "jpeg",
          batch: { keys: ["shoot/a.png", "shoot/brand/logo.png"] },
        },
      });
      const [batchId, detectId, badId, keyedId] = [await submit(batch), await submit(detect), await submit(badOps), await submit(keyed)];

      const done = await settled(batchId);
      assert.equal(done.state, "completed", JSON.stringify(done));
      const base = join(sandbox.env.STORAGE_DIR!, "out", `processed/${batchId}/`);
      const report = JSON.parse(await readFile(join(base, "report.json"), "utf8")) as { completed: number; failed: number; items: Array<{ input: string; status: string; error?: { code: string } }> };
      assert.deepEqual([report.completed, report.failed], [3, 1]);
      assert.deepEqual(
        report.items.map((i) => [i.input, i.status, i.error?.code ?? null]),
        [
          ["shoot/a.png", "completed", null],
          ["shoot/b.jpg", "completed", null],
          ["shoot/brand/logo.png", "completed", null],
          ["shoot/c.jpg", "failed", "UNSUPPORTED_FORMAT"],
        ],
      );
      const a = join(base, "images/a.png");
      assert.equal((await sharp(a).metadata()).width, 100);
      const { data } = await sharp(a).raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([...data.subarray(0, 3)], [0, 255, 0], "flopped: the green top-right quadrant is now top-left");

      const noModel = await settled(detectId);
      assert.equal(noModel.state, "failed");
      assert.equal(noModel.error?.code, "DETECTION_UNAVAILABLE");
      assert.equal(noModel.error?.recoverable, false);

      // keys + a watermark object: downloaded together, the logo used and not processed itself
      const marked = await settled(keyedId);
      assert.equal(marked.state, "completed", JSON.stringify(marked));
      const keyedBase = join(sandbox.env.STORAGE_DIR!, "out", `processed/${keyedId}/`);
      const keyedReport = JSON.parse(await readFile(join(keyedBase, "report.json"), "utf8")) as { items: Array<{ input: string; output: string }> };
      assert.deepEqual(
        keyedReport.items.map((i) => [i.input, i.output]),
        [["shoot/a.png", "images/a.jpg"]],
      );
      const corner = await sharp(join(keyedBase, "images/a.jpg")).extract({ left: 290, top: 190, width: 1, height: 1 }).raw().toBuffer();
      assert.ok(corner[2]! > 200 && corner[0]! < 60, `the blue logo in the bottom-right corner (${[...corner].join(",")})`);

      const invalid = await settled(badId);
      assert.equal(invalid.error?.code, "INVALID_PARAMS");
      assert.match(invalid.error?.message ?? "", /operations\.1\.sigma/);
    } finally {
      svc.process.kill("SIGTERM");
      await svc.process;
      await rm(sandbox.root, { recursive: true, force: true });
    }
  },
);
