import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "amqplib";
import { waitFor } from "../helpers/service-process.ts";
import { e2eStack, taskEvents } from "./e2e-stack.ts";

test("a cancel message on vision.s3d.control stops a running task: TaskCancelled, a failed CANCELLED result, the delivery acked", { timeout: 120_000 }, async () => {
  const stack = await e2eStack({ slowProcessors: true });
  try {
    const dir = await mkdtemp(join(tmpdir(), "vs3d-e2e-cancel-"));
    const input = join(dir, "input.bin");
    await writeFile(input, "hello");
    const viaAmqp = stack.taskMessage({ task_type: "image_convert", params: { stages: 3, stage_ms: 4000 } });
    const viaHttp = stack.taskMessage({ task_type: "image_convert", params: { stages: 3, stage_ms: 4000 } });
    for (const m of [viaAmqp, viaHttp]) {
      const source = m.source as { bucket: string; key: string };
      await stack.storage.upload(source.bucket, source.key, input);
    }
    const svc = await stack.start();
    await stack.platform.publish("image_convert", viaAmqp);
    await stack.platform.publish("image_convert", viaHttp);
    for (const m of [viaAmqp, viaHttp]) {
      await waitFor("step_1 to start", async () => (await taskEvents(svc.url, m.task_id)).some((e) => e.type === "StageStarted"), 30_000);
    }

    // The platform's cancel: a message on the control exchange, which every node receives.
    const conn = await connect(stack.env.AMQP_URL!);
    const ch = await conn.createConfirmChannel();
    ch.publish("vision.s3d.control", "", Buffer.from(JSON.stringify({ type: "cancel", task_id: viaAmqp.task_id, reason: "user deleted the file" })), { contentType: "application/json" });
    await ch.waitForConfirms();
    await conn.close();
    // The same through HTTP on any node.
    const http = await fetch(`${svc.url}/tasks/${viaHttp.task_id}/cancel`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reason: "via http" }) });
    assert.equal(http.status, 202);

    for (const [m, reason] of [
      [viaAmqp, "user deleted the file"],
      [viaHttp, "via http"],
    ] as const) {
      const results = await stack.platform.waitForResults(m.task_id, (r) => r.some((x) => x.body.status === "failed"), 30_000);
      const failed = results.find((r) => r.body.status === "failed")!.body as unknown as { error: { code: string; message: string }; retry: { will_retry: boolean } };
      assert.equal(failed.error.code, "CANCELLED");
      assert.match(failed.error.message, new RegExp(reason));
      assert.equal(failed.retry.will_retry, false);
      const events = await taskEvents(svc.url, m.task_id);
      assert.equal(events.at(-1)?.type, "TaskCancelled");
      assert.ok(!events.some((e) => e.type === "StageCompleted" && e.data.stage === "step_3"), "stopped before the end");
    }
    // Settled, not requeued: nothing waits in the class queue for another node.
    const check = await connect(stack.env.AMQP_URL!);
    const cch = await check.createChannel();
    await waitFor("the deliveries to be acked", async () => (await cch.checkQueue("tasks.normal")).messageCount === 0, 10_000);
    await check.close();
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${stack.logs()}`, { cause: error });
  } finally {
    await stack.close();
  }
});
