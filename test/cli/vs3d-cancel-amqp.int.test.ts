import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { execa } from "execa";
import { REPO_ROOT } from "../helpers/fixtures.ts";
import { waitFor } from "../helpers/service-process.ts";
import { e2eStack, taskEvents } from "../e2e/e2e-stack.ts";

test("production mode (PostgreSQL + RabbitMQ): vs3d tasks reads the store, vs3d cancel broadcasts and the owning node stops the task", { timeout: 150_000 }, async () => {
  const stack = await e2eStack({ slowProcessors: true });
  try {
    const cwd = await mkdtemp(join(tmpdir(), "vs3d-cli-amqp-"));
    const input = join(cwd, "input.bin");
    await writeFile(input, "hello");
    const msg = stack.taskMessage({ task_type: "image_convert", params: { stages: 3, stage_ms: 20_000 } }); // outlives a few CLI runs under load
    const source = msg.source as { bucket: string; key: string };
    await stack.storage.upload(source.bucket, source.key, input);
    const svc = await stack.start();
    await stack.platform.publish("image_convert", msg);
    await waitFor("step_1 to start", async () => (await taskEvents(svc.url, msg.task_id)).some((e) => e.type === "StageStarted"), 30_000);

    const vs3d = (args: string[]) => execa(join(REPO_ROOT, "bin", "vs3d.js"), args, { cwd, reject: false, env: { ...stack.env, LOG_LEVEL: "silent" } });
    const listed = await vs3d(["tasks", "--state", "processing", "--json"]);
    assert.equal(listed.exitCode, 0, listed.stderr);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { tasks: { task_id: string }[] }).tasks.map((t) => t.task_id),
      [msg.task_id],
    );

    const cancel = await vs3d(["cancel", msg.task_id, "--reason", "platform deleted the file", "--json"]);
    assert.equal(cancel.exitCode, 0, cancel.stderr);
    assert.deepEqual(JSON.parse(cancel.stdout), { task_id: msg.task_id, cancel: "requested", state: "processing", via: "amqp" });
    const results = await stack.platform.waitForResults(msg.task_id, (r) => r.some((x) => x.body.status === "failed"), 30_000);
    assert.equal((results.at(-1)!.body as unknown as { error: { code: string } }).error.code, "CANCELLED");
    const cancelled = (await taskEvents(svc.url, msg.task_id)).find((e) => e.type === "TaskCancelled");
    assert.equal((cancelled?.data as { reason?: string } | undefined)?.reason, "platform deleted the file");
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${stack.logs().slice(-3000)}`, { cause: error });
  } finally {
    await stack.close();
  }
});
