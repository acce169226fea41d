import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "../helpers/service-process.ts";
import { e2eStack, taskEvents } from "./e2e-stack.ts";

test("SIGKILL mid-task: RabbitMQ redelivers, the next process resumes from the stream, one completed result, no stage redone", { timeout: 120_000 }, async () => {
  const stack = await e2eStack({ slowProcessors: true });
  try {
    const dir = await mkdtemp(join(tmpdir(), "vs3d-e2e-kill-"));
    const input = join(dir, "input.bin");
    const ledger = join(dir, "ledger.txt");
    await writeFile(input, "hello");
    const msg = stack.taskMessage({ task_type: "image_convert", params: { stages: 3, stage_ms: 2000, ledger } });
    const source = msg.source as { bucket: string; key: string };
    await stack.storage.upload(source.bucket, source.key, input);

    const first = await stack.start();
    await stack.platform.publish("image_convert", msg);
    // (step_1's upload runs beside step_2, so its StageCompleted may follow step_2's StageStarted.)
    await waitFor(
      "step_1 done and step_2 started",
      async () => {
        const evs = await taskEvents(first.url, msg.task_id);
        return evs.some((e) => e.type === "StageCompleted" && e.data.stage === "step_1") && evs.some((e) => e.type === "StageStarted" && e.data.stage === "step_2");
      },
      30_000,
    );
    first.process.kill("SIGKILL");
    await first.process;

    const second = await stack.start();
    const results = await stack.platform.waitForResults(msg.task_id, (r) => r.some((x) => x.body.status === "completed"), 60_000);
    // Let any late duplicate arrive before counting.
    await new Promise((r) => setTimeout(r, 1000));
    const unique = new Map(stack.platform.results.filter((r) => r.body.task_id === msg.task_id).map((r) => [r.messageId, r.body]));
    assert.deepEqual(
      [...unique.values()].map((b) => b.status),
      ["completed"],
      "exactly one result after dedup by message_id",
    );
    assert.ok(results.length >= 1);

    const events = await taskEvents(second.url, msg.task_id);
    assert.ok(
      events.some((e) => e.type === "TaskInterrupted"),
      "the resume records the interruption",
    );
    for (const stage of ["step_1", "step_2", "step_3"]) {
      const done = events.findIndex((e) => e.type === "StageCompleted" && e.data.stage === stage);
      assert.ok(done >= 0, `${stage} completed`);
      assert.equal(events.filter((e) => e.type === "StageCompleted" && e.data.stage === stage).length, 1, `${stage} completed once`);
      assert.ok(!events.slice(done).some((e) => e.type === "StageStarted" && e.data.stage === stage), `${stage} not started again after completing`);
    }
    const runs = (await readFile(ledger, "utf8")).trim().split("\n");
    assert.deepEqual(
      runs.filter((r) => r === "step_1"),
      ["step_1"],
      "step_1 ran once across both processes",
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${stack.logs()}`, { cause: error });
  } finally {
    await stack.close();
  }
});

test("SIGTERM mid-task: the task is interrupted, its delivery requeued, the process exits within the grace, and the next process finishes it", { timeout: 90_000 }, async () => {
  const stack = await e2eStack({ slowProcessors: true });
  try {
    const dir = await mkdtemp(join(tmpdir(), "vs3d-e2e-term-"));
    const input = join(dir, "input.bin");
    await writeFile(input, "hello");
    const msg = stack.taskMessage({ task_type: "image_convert", params: { stages: 2, stage_ms: 3000 } });
    const source = msg.source as { bucket: string; key: string };
    await stack.storage.upload(source.bucket, source.key, input);

    const first = await stack.start();
    await stack.platform.publish("image_convert", msg);
    await waitFor("step_1 to start", async () => (await taskEvents(first.url, msg.task_id)).some((e) => e.type === "StageStarted"), 30_000);
    const t0 = Date.now();
    process.kill(first.process.pid!, "SIGTERM");
    await first.process;
    const stopMs = Date.now() - t0;
    assert.equal(first.process.exitCode, 0, `a clean exit (signal ${String(first.process.signalCode)}, after ${Date.now() - t0} ms)`);
    assert.ok(stopMs < 10_000, `stopped within SHUTDOWN_GRACE_SECONDS (took ${stopMs} ms)`);

    const second = await stack.start();
    await stack.platform.waitForResults(msg.task_id, (r) => r.some((x) => x.body.status === "completed"), 45_000);
    const events = await taskEvents(second.url, msg.task_id);
    assert.ok(
      events.some((e) => e.type === "TaskInterrupted" && e.data.reason === "node shutting down"),
      "the shutdown is recorded in the stream",
    );
    assert.match(first.logs(), /"msg":"stopped"/);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${stack.logs()}`, { cause: error });
  } finally {
    await stack.close();
  }
});
