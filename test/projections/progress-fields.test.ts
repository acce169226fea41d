import assert from "node:assert/strict";
import { test } from "node:test";
import type { TaskEvent } from "../../src/contracts/task-events.ts";
import { ProgressMessage } from "../../src/contracts/progress-message.ts";
import { replayTask, stateOf } from "../../src/machines/task-replay.ts";
import { progressMessageOf } from "../../src/projections/pure/progress.projection.ts";
import { sampleTask } from "../helpers/task-events.ts";

const task = sampleTask();
const t0 = Date.parse("2026-12-01T10:00:00.000Z");
const at = (s: number) => new Date(t0 + s * 1000).toISOString();
const ev = (s: number, e: Record<string, unknown>) => ({ task_id: task.task_id, attempt: 1, at: at(s), ...e }) as TaskEvent;

const queuedThenRunning: TaskEvent[] = [
  ev(0, {
    type: "TaskAccepted",
    task,
    stages: [
      { name: "index", label: "Indexing", weight: 1 },
      { name: "tiles", label: "Tiles", weight: 1 },
    ],
  }),
  ev(1, { type: "DownloadStarted" }),
  ev(2, { type: "DownloadCompleted", size_bytes: 10 }),
  ev(2, { type: "SlotRequested" }),
  // 98 s waiting for a slot: the ETA must not count them
  ev(100, { type: "SlotGranted", cpu_percent: 50, ram_bytes: 1e9, exclusive: false }),
  ev(100, { type: "StageStarted", stage: "index" }),
  ev(110, { type: "ProgressReported", stage: "index", done: 5_000_000, total: 10_000_000, label: "Indexing 5 M of 10 M points", unit: "points" }),
];

test("progress carries stage index and count, counted items with their unit, attempt and emitted_at; the ETA counts processing time only", () => {
  const snapshot = replayTask(queuedThenRunning);
  const now = new Date(t0 + 110_000);
  const m = progressMessageOf(stateOf(snapshot), snapshot.context, now)!;
  assert.ok(ProgressMessage.safeParse(m).success, "the message keeps the wire contract");
  assert.equal(m.progress.percent, 25);
  assert.deepEqual([m.progress.stage_index, m.progress.stage_count], [1, 2]);
  assert.deepEqual([m.progress.items_done, m.progress.items_total, m.progress.items_unit], [5_000_000, 10_000_000, "points"]);
  assert.equal(m.attempt, 1);
  assert.equal(m.emitted_at, now.toISOString());
  // 10 s of processing for 25 %: 30 s to go (by queue time it would be 330 s)
  assert.equal(m.eta_seconds, 30);
  assert.equal(m.error, null);
});

test("processing time adds up across attempts and leaves out the retry wait; a failed message carries its error", () => {
  const failedOnce = [
    ...queuedThenRunning,
    ev(120, { type: "TaskFailed", error: { code: "STORAGE_UNAVAILABLE", message: "S3 down", stage: "index", recoverable: true }, will_retry: true }),
    ev(120, { type: "RetryScheduled", next_attempt: 2, delay_seconds: 30 }),
  ];
  const retrying = replayTask(failedOnce);
  assert.equal(retrying.context.processingSeconds, 20);
  const mRetry = progressMessageOf(stateOf(retrying), retrying.context, new Date(t0 + 130_000))!;
  assert.equal(mRetry.error?.code, "STORAGE_UNAVAILABLE", "a retrying task says why");

  const second = replayTask([
    ...failedOnce,
    { ...ev(150, { type: "AttemptStarted", reason: "retry" }), attempt: 2 },
    { ...ev(151, { type: "DownloadStarted" }), attempt: 2 },
    { ...ev(152, { type: "DownloadCompleted", size_bytes: 10 }), attempt: 2 },
    { ...ev(152, { type: "SlotRequested" }), attempt: 2 },
    { ...ev(160, { type: "SlotGranted", cpu_percent: 50, ram_bytes: 1e9, exclusive: false }), attempt: 2 },
    { ...ev(160, { type: "StageStarted", stage: "index" }), attempt: 2 },
    { ...ev(170, { type: "ProgressReported", stage: "index", done: 8, total: 10 }), attempt: 2 },
  ]);
  const m = progressMessageOf(stateOf(second), second.context, new Date(t0 + 170_000))!;
  assert.equal(m.attempt, 2);
  assert.equal(m.progress.items_unit, null, "no unit said: steps");
  // 20 s in attempt 1 + 10 s now = 30 s for 40 %: 45 s to go
  assert.equal(m.eta_seconds, 45);
  assert.equal(m.error, null, "a running attempt has no error");
});
