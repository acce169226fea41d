import assert from "node:assert/strict";
import { test } from "node:test";
import { TaskStream } from "../../../src/actors/task-stream.ts";
import type { TaskEvent } from "../../../src/contracts/task-events.ts";
import { openEventStore } from "../../../src/infra/event-store/open-event-store.ts";
import { createMetrics } from "../../../src/infra/metrics/metrics.ts";
import { runMetricsSubscriber } from "../../../src/infra/metrics/metrics-subscriber.ts";
import { appendDeadLettered } from "../../helpers/dead-lettered-task.ts";
import { sampleTask } from "../../helpers/task-events.ts";
import { appendScenario } from "../../projections/task-scenarios.ts";

/** A task that waited ~150 ms for its slot and is still running. */
async function appendSlotWait(store: Parameters<typeof appendScenario>[0]) {
  const task = sampleTask({ task_type: "image_thumbnail" });
  const s = await TaskStream.open(store, task.task_id);
  const ev = (type: TaskEvent["type"], body: Record<string, unknown> = {}) => s.event<TaskEvent["type"]>(type, body);
  await s.append(ev("TaskAccepted", { task, stages: [{ name: "thumb", label: "Thumb", weight: 1 }] }));
  await s.append(ev("DownloadStarted"));
  await s.append(ev("DownloadCompleted", { size_bytes: 10 }));
  await s.append(ev("SlotRequested"));
  await new Promise((r) => setTimeout(r, 150));
  await s.append(ev("SlotGranted", { cpu_percent: 3, ram_bytes: 1e8, exclusive: false }));
}

test("each finished task is counted once, by its real end; retries are their own counter; every outcome has a duration", async () => {
  const store = await openEventStore("memory://", { pollIntervalMs: 20 });
  const metrics = createMetrics({ runningTasks: () => 0 });
  const stop = new AbortController();
  const running = runMetricsSubscriber(store, metrics, stop.signal);
  try {
    await new Promise((r) => setTimeout(r, 100)); // live from the head: start before the tasks
    for (const s of ["completed", "retried-then-completed", "failed-final", "cancelled"] as const) await appendScenario(store, s);
    await appendDeadLettered(store, 3);
    await appendSlotWait(store);
    const finished = async () => (await metrics.registry.getSingleMetric("vs3d_tasks_finished_total")!.get()).values;
    for (const deadline = Date.now() + 5000; (await finished()).reduce((n, v) => n + v.value, 0) < 5;) {
      assert.ok(Date.now() < deadline, "five tasks counted within 5 s");
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 200)); // room for a double count to show
    const byOutcome = Object.fromEntries((await finished()).map((v) => [`${v.labels.outcome}/${v.labels.code}`, v.value]));
    assert.deepEqual(byOutcome, { "completed/": 2, "failed/INPUT_CORRUPT": 1, "cancelled/CANCELLED": 1, "dead_lettered/STORAGE_ERROR": 1 }, "five tasks, five counts");
    const retries = (await metrics.registry.getSingleMetric("vs3d_task_retries_total")!.get()).values;
    assert.equal(
      retries.reduce((n, v) => n + v.value, 0),
      3,
      "one retry of one task, two of the dead-lettered one",
    );
    const counts = (await metrics.registry.getSingleMetric("vs3d_task_duration_seconds")!.get()).values.filter((v) => (v as { metricName?: string }).metricName === "vs3d_task_duration_seconds_count");
    assert.deepEqual(Object.fromEntries(counts.map((v) => [v.labels.outcome, v.value])), { completed: 2, failed: 1, cancelled: 1, dead_lettered: 1 });
    // The slot wait is SlotRequested → SlotGranted of the one task that asked (the scenarios' grants
    // come without a request: nothing to time, nothing observed).
    const waits = (await metrics.registry.getSingleMetric("vs3d_slot_wait_seconds")!.get()).values;
    const of = (name: string) => waits.find((v) => (v as { metricName?: string }).metricName === name && v.labels.task_type === "image_thumbnail")?.value;
    for (const deadline = Date.now() + 5000; of("vs3d_slot_wait_seconds_count") !== 1; await new Promise((r) => setTimeout(r, 50))) assert.ok(Date.now() < deadline, "the slot wait observed");
    assert.ok(of("vs3d_slot_wait_seconds_sum")! >= 0.14 && of("vs3d_slot_wait_seconds_sum")! < 5, `waited ${of("vs3d_slot_wait_seconds_sum")} s`);
  } finally {
    stop.abort();
    await running.catch(() => undefined);
    await store.close();
  }
});
