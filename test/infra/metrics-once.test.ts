import assert from "node:assert/strict";
import { test } from "node:test";
import { TaskStream } from "../../src/actors/task-stream.ts";
import type { TaskEvent } from "../../src/contracts/task-events.ts";
import { openEventStore } from "../../src/infra/event-store/open-event-store.ts";
import { createMetrics } from "../../src/infra/metrics/metrics.ts";
import { runMetricsSubscriber } from "../../src/infra/metrics/metrics-subscriber.ts";
import { sampleTask } from "../helpers/task-events.ts";
import { appendScenario } from "../projections/task-scenarios.ts";

/** Three failed attempts, the last one past max_attempts: TaskFailed + TaskDeadLettered in one append. */
async function appendDeadLettered(store: Parameters<typeof appendScenario>[0]) {
  const task = sampleTask({ task_type: "geotiff_cog", retry: { attempt: 1, max_attempts: 3 } });
  const s = await TaskStream.open(store, task.task_id);
  const ev = (type: TaskEvent["type"], body: Record<string, unknown> = {}, attempt?: number) => s.event(type, body as never, attempt) as TaskEvent;
  const error = { code: "STORAGE_ERROR", message: "R2 timed out", stage: null, recoverable: true };
  await s.append(ev("TaskAccepted", { task, stages: [{ name: "cog", label: "COG", weight: 1 }] }));
  for (const attempt of [1, 2]) {
    await s.append(ev("DownloadStarted", {}, attempt));
    await s.appendAll([ev("TaskFailed", { error, will_retry: true }, attempt), ev("RetryScheduled", { next_attempt: attempt + 1, delay_seconds: 1 }, attempt)]);
    await s.append(ev("AttemptStarted", { reason: "retry" }, attempt + 1));
  }
  await s.append(ev("DownloadStarted", {}, 3));
  await s.appendAll([ev("TaskFailed", { error, will_retry: false }, 3), ev("TaskDeadLettered", { reason: "STORAGE_ERROR after 3 attempt(s): R2 timed out" }, 3)]);
  return task;
}

test("each finished task is counted once, by its real end; retries are their own counter; every outcome has a duration", async () => {
  const store = await openEventStore("memory://", { pollIntervalMs: 20 });
  const metrics = createMetrics({ runningTasks: () => 0 });
  const stop = new AbortController();
  const running = runMetricsSubscriber(store, metrics, stop.signal);
  try {
    await new Promise((r) => setTimeout(r, 100)); // live from the head: start before the tasks
    for (const s of ["completed", "retried-then-completed", "failed-final", "cancelled"] as const) await appendScenario(store, s);
    await appendDeadLettered(store);
    const finished = async () => (await metrics.registry.getSingleMetric("vs3d_tasks_finished_total")!.get()).values;
    for (const deadline = Date.now() + 5000; (await finished()).reduce((n, v) => n + v.value, 0) < 5; ) {
      assert.ok(Date.now() < deadline, "five tasks counted within 5 s");
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 200)); // room for a double count to show
    const byOutcome = Object.fromEntries((await finished()).map((v) => [`${v.labels.outcome}/${v.labels.code}`, v.value]));
    assert.deepEqual(byOutcome, { "completed/": 2, "failed/INPUT_CORRUPT": 1, "cancelled/CANCELLED": 1, "dead_lettered/STORAGE_ERROR": 1 }, "five tasks, five counts");
    const retries = (await metrics.registry.getSingleMetric("vs3d_task_retries_total")!.get()).values;
    assert.equal(retries.reduce((n, v) => n + v.value, 0), 3, "one retry of one task, two of the dead-lettered one");
    const counts = (await metrics.registry.getSingleMetric("vs3d_task_duration_seconds")!.get()).values.filter((v) => v.metricName === "vs3d_task_duration_seconds_count");
    assert.deepEqual(Object.fromEntries(counts.map((v) => [v.labels.outcome, v.value])), { completed: 2, failed: 1, cancelled: 1, dead_lettered: 1 });
  } finally {
    stop.abort();
    await running.catch(() => undefined);
    await store.close();
  }
});
