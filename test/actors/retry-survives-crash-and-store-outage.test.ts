import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { TaskStream } from "../../src/actors/task-stream.ts";
import { createTimerRetryScheduler } from "../../src/actors/timer-retry-scheduler.ts";
import { loadConfig } from "../../src/config/config.ts";
import { TaskMessage } from "../../src/contracts/task-message.ts";
import { openEventStore } from "../../src/infra/event-store/index.ts";
import { silentLogger } from "../../src/infra/logger.ts";
import { createService } from "../../src/service/service.ts";
import { embeddedEnv, taskMessage } from "../helpers/embedded-env.ts";
import { asPromise } from "../../src/shared/as-promise.ts";

test("a crash between TaskFailed(will_retry) and RetryScheduled: the next start still retries the task", { timeout: 60_000 }, async () => {
  const sandbox = await embeddedEnv();
  await sandbox.put("in", "files/input.bin", "hello");
  const task = TaskMessage.parse(taskMessage({ params: { stages: 1, stage_ms: 10 }, retry: { attempt: 1, max_attempts: 3 } }));
  // The stream as a node leaves it when it dies right after appending TaskFailed (task-runner.ts
  // appends RetryScheduled in a second append).
  const store = await openEventStore(join(sandbox.env.DATA_DIR!, "events"));
  const s = await TaskStream.open(store, task.task_id);
  await s.append(s.event("TaskAccepted", { task, stages: [{ name: "step_1", label: "Step 1", weight: 1 }] }, 1));
  await s.append(s.event("DownloadStarted", {}));
  await s.append(s.event("TaskFailed", { error: { code: "STORAGE_ERROR", message: "S3 503", stage: null, recoverable: true }, will_retry: true }));
  assert.equal(s.state, "retrying");
  await store.close();

  const service = await createService(loadConfig({ ...sandbox.env, RETRY_DELAYS_SECONDS: "1" }), silentLogger(), { workerMode: "inline" });
  try {
    const { resumed, retrying } = await service.host.resumeUnfinished();
    assert.ok(resumed.includes(task.task_id) || retrying.includes(task.task_id), "the task is picked up at start-up (resumed or re-armed)");
  } finally {
    await service.host.shutdown(1000);
    await service.close();
  }
});

test("an embedded retry whose resubmit fails (store away) neither crashes the process nor is lost", { timeout: 10_000 }, async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    let calls = 0;
    const scheduler = createTimerRetryScheduler(() =>
      asPromise(() => {
        calls += 1;
        if (calls === 1) throw new Error("connection terminated unexpectedly");
      }),
    );
    const task = TaskMessage.parse(taskMessage());
    await scheduler.schedule(task, 2, 0.05);
    await new Promise((r) => setTimeout(r, 3000));
    scheduler.cancelAll();
    assert.deepEqual(unhandled.map(String), [], "no unhandled rejection (the service would exit on it)");
    assert.ok(calls >= 2, "the failed resubmit is tried again");
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});
