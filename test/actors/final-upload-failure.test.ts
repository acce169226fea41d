/** Issue 16, defect 1: a failed upload of a stage's outputs fails that task with a code and the
 * stage, and the node stays up (it used to die of an unhandled rejection while the worker closed). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { createS3Storage } from "../../src/infra/storage/s3-storage.ts";
import { startS3rver } from "../helpers/s3rver.ts";
import { embeddedEnv, taskMessage } from "../helpers/embedded-env.ts";
import { startServiceProcess, waitFor } from "../helpers/service-process.ts";
import { startHarness } from "../helpers/embedded-http-harness.ts";

interface View {
  state: string;
  error: { code: string; stage: string | null; message: string; recoverable: boolean } | null;
  outputs: unknown[];
}

test("S3: the last stage's upload to a bucket that does not exist fails the task (STORAGE_ERROR, its stage, not retried); the node runs the next task", { timeout: 60_000 }, async () => {
  const s3 = await startS3rver(["in", "out"]);
  const storage = createS3Storage({ ...s3.clientOptions, transferAttempts: 1 });
  await storage.client.send(new PutObjectCommand({ Bucket: "in", Key: "files/input.bin", Body: "hello" }));
  // Child workers: closing one takes a while, which is when the rejection went unhandled.
  const h = await startHarness({ overrides: { storage, workerMode: "child" } });
  // In the service an unhandled rejection ends the process; here it is recorded.
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    // One stage: its upload is the last transfer, after the worker closed. Two: step_1's upload
    // fails while step_2 computes.
    for (const stages of [1, 2]) {
      const bad = taskMessage({ params: { stages, stage_ms: 50 }, destination: { bucket: "no-such-bucket", base_key: "processed/x/" } });
      assert.equal((await h.post(bad)).status, 202);
      const failed = (await h.waitSettled(bad.task_id as string)) as unknown as View;
      assert.equal(failed.state, "failed", `${stages} stage(s)`);
      assert.equal(failed.error?.code, "STORAGE_ERROR");
      assert.equal(failed.error?.stage, "step_1", "the stage whose outputs did not upload");
      assert.equal(failed.error?.recoverable, false, "a missing bucket is not retried");
      assert.match(failed.error?.message ?? "", /no-such-bucket does not exist/);
    }

    const good = taskMessage({ params: { stages: 1, stage_ms: 50 } });
    assert.equal((await h.post(good)).status, 202);
    assert.equal((await h.waitSettled(good.task_id as string)).state, "completed");
    assert.deepEqual(unhandled, [], "no rejection reached the process");
  } finally {
    process.off("unhandledRejection", onUnhandled);
    await h.close();
    storage.client.destroy();
    await s3.stop();
  }
});

test("local storage that cannot be written, in process with child workers: the failure is the task's, no rejection reaches the process", { timeout: 60_000 }, async () => {
  const h = await startHarness({ overrides: { workerMode: "child" } });
  await mkdir(join(h.sandbox.env.STORAGE_DIR!, "out"), { recursive: true });
  await writeFile(join(h.sandbox.env.STORAGE_DIR!, "out", "blocked"), "not a folder");
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    for (const stages of [1, 2]) {
      const bad = taskMessage({ params: { stages, stage_ms: 50 }, destination: { bucket: "out", base_key: "blocked/x/" }, retry: { attempt: 1, max_attempts: 1 } });
      assert.equal((await h.post(bad)).status, 202);
      const failed = (await h.waitSettled(bad.task_id as string)) as unknown as View;
      assert.equal(failed.state, "dead_lettered", `${stages} stage(s): recoverable, but its only attempt`);
      assert.equal(failed.error?.code, "STORAGE_ERROR");
      assert.equal(failed.error?.stage, "step_1");
    }
    assert.deepEqual(unhandled, [], "no rejection reached the process");
  } finally {
    process.off("unhandledRejection", onUnhandled);
    await h.close();
  }
});

test("local storage that cannot be written: the task dead-letters with STORAGE_ERROR at its last stage, the service process stays up and restarts cleanly", { timeout: 120_000 }, async () => {
  const sandbox = await embeddedEnv();
  await sandbox.put("in", "files/input.bin", "hello");
  // A file where the destination folder should be: every write below it fails (root ignores modes).
  await mkdir(join(sandbox.env.STORAGE_DIR!, "out"), { recursive: true });
  await writeFile(join(sandbox.env.STORAGE_DIR!, "out", "blocked"), "not a folder");
  let svc = await startServiceProcess(sandbox.env);
  try {
    const bad = taskMessage({ params: { stages: 1, stage_ms: 50 }, destination: { bucket: "out", base_key: "blocked/x/" }, retry: { attempt: 1, max_attempts: 1 } });
    const posted = await fetch(`${svc.url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(bad) });
    assert.equal(posted.status, 202);
    const view = await waitFor(
      "the failure",
      async () => {
        const v = (await (await fetch(`${svc.url}/tasks/${bad.task_id as string}`)).json()) as View;
        return ["failed", "dead_lettered"].includes(v.state) ? v : null;
      },
      30_000,
    );
    assert.equal(view.state, "dead_lettered", "recoverable, but its only attempt");
    assert.equal(view.error?.code, "STORAGE_ERROR");
    assert.equal(view.error?.stage, "step_1");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(svc.process.exitCode, null, `the service is still running:\n${svc.logs()}`);

    const good = taskMessage({ params: { stages: 1, stage_ms: 50 } });
    await fetch(`${svc.url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(good) });
    await waitFor("the next task", async () => ((await (await fetch(`${svc.url}/tasks/${good.task_id as string}`)).json()) as View).state === "completed", 30_000);

    svc.process.kill("SIGTERM");
    await svc.process;
    svc = await startServiceProcess(sandbox.env);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(svc.process.exitCode, null, "a restart does not crash");
    assert.equal(((await (await fetch(`${svc.url}/tasks/${bad.task_id as string}`)).json()) as View).state, "dead_lettered");
  } finally {
    if (svc.process.exitCode === null) svc.process.kill("SIGTERM");
    await svc.process;
  }
});
