import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import type { GetMessage } from "amqplib";
import { REPO_ROOT } from "../helpers/fixtures.ts";
import { waitFor } from "../helpers/service-process.ts";
import { e2eStack, taskEvents } from "./e2e-stack.ts";
import { inheritedImports } from "../../src/actors/worker/inherited-imports.ts";

const vs3d = (args: string[], env: Record<string, string>) => execa(process.execPath, [...inheritedImports(), join(REPO_ROOT, "src/cli/main.ts"), ...args], { env, reject: false });

test("a recoverable failure retries through a TTL queue, ends dead-lettered with will_retry false, and `vs3d dlq` lists and replays it", { timeout: 120_000 }, async () => {
  const stack = await e2eStack({ slowProcessors: true });
  const ofTask = (id: string) => (m: GetMessage) => m.properties.headers?.["x-vs3d-task-id"] === id;
  let taskId = "";
  try {
    const input = join(await mkdtemp(join(tmpdir(), "vs3d-e2e-in-")), "input.bin");
    await writeFile(input, "hello");
    // The test processor kills its worker in step_1: PROCESSOR_CRASHED, recoverable.
    const msg = stack.taskMessage({ task_type: "image_convert", params: { stages: 1, stage_ms: 50, crash_in: "step_1" }, retry: { attempt: 1, max_attempts: 2 } });
    taskId = msg.task_id;
    const source = msg.source as { bucket: string; key: string };
    await stack.storage.upload(source.bucket, source.key, input);
    const svc = await stack.start();
    const t0 = Date.now();
    await stack.platform.publish("image_convert", msg);

    const results = await stack.platform.waitForResults(taskId, (r) => r.some((x) => (x.body as { retry?: { will_retry: boolean } }).retry?.will_retry === false), 45_000);
    const retries = results.map((r) => r.body as unknown as { retry: { attempt: number; will_retry: boolean }; error: { code: string } });
    assert.deepEqual(
      retries.map((r) => [r.retry.attempt, r.retry.will_retry]),
      [
        [1, true],
        [2, false],
      ],
    );
    assert.ok(retries.every((r) => r.error.code === "PROCESSOR_CRASHED"));

    // The failed result projects TaskFailed; TaskDeadLettered is the next fact, a moment later.
    const types = await waitFor(
      "TaskDeadLettered",
      async () => {
        const t = (await taskEvents(svc.url, taskId)).map((e) => e.type);
        return t.includes("TaskDeadLettered") ? t : null;
      },
      10_000,
    );
    assert.ok(types.includes("RetryScheduled") && types.includes("AttemptStarted"), types.join(","));
    assert.equal(types.at(-1), "TaskDeadLettered");
    const [dead] = await waitFor(
      "the dead letter",
      async () => {
        const found = await stack.platform.dlqMessages(ofTask(taskId));
        return found.length ? found : null;
      },
      10_000,
    );
    assert.equal(dead!.properties.headers?.["x-vs3d-error-code"], "PROCESSOR_CRASHED");
    assert.match(String(dead!.properties.headers?.["x-vs3d-reason"]), /PROCESSOR_CRASHED after 2 attempt/);
    assert.ok(Date.now() - t0 >= 1000, "attempt 2 waited for the 1 s retry queue");

    // List shows it with its reason and keeps it in the queue.
    const listed = await vs3d(["dlq", "list", "--json"], stack.env);
    assert.equal(listed.exitCode, 0, String(listed.stderr));
    const views = JSON.parse(String(listed.stdout)) as { task_id: string; code: string; reason: string; attempt: number }[];
    const mine = views.find((v) => v.task_id === taskId);
    assert.equal(mine?.code, "PROCESSOR_CRASHED");
    assert.equal(mine?.attempt, 2);
    assert.equal((await stack.platform.dlqMessages(ofTask(taskId))).length, 1, "listing removed nothing");

    // Replay: the stream records a replay as attempt 3, which crashes again and is dead-lettered again.
    const replayed = await vs3d(["dlq", "replay", "--task-id", taskId], stack.env);
    assert.equal(replayed.exitCode, 0, String(replayed.stderr));
    const final = await waitFor(
      "the replayed attempt to be dead-lettered",
      async () => {
        const evs = await taskEvents(svc.url, taskId);
        return evs.filter((e) => e.type === "TaskDeadLettered").length === 2 ? evs : null;
      },
      30_000,
    );
    assert.ok(final.some((e) => e.type === "AttemptStarted" && e.data.reason === "replay" && e.data.attempt === 3));
    const again = await waitFor(
      "the new dead letter",
      async () => {
        const found = await stack.platform.dlqMessages(ofTask(taskId));
        return found.some((m) => (JSON.parse(m.content.toString()) as { retry: { attempt: number } }).retry.attempt === 3) ? found : null;
      },
      10_000,
    );
    assert.equal(again.length, 1, "the replayed dead letter left the DLQ");
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${stack.logs()}`, { cause: error });
  } finally {
    if (taskId) await stack.platform.removeFromDlq(ofTask(taskId));
    await stack.close();
  }
});
