import assert from "node:assert/strict";
import { test } from "node:test";
import type { TaskEvent } from "../../src/contracts/task-events.ts";
import { taskTimeline } from "../../src/http/task-timeline.ts";
import { sampleTask } from "../helpers/task-events.ts";

const task = sampleTask({ retry: { attempt: 1, max_attempts: 2 } });
const t = (s: number) => new Date(Date.parse("2026-12-01T10:00:00Z") + s * 1000).toISOString();
const base = (s: number, attempt = 1) => ({ task_id: task.task_id, attempt, at: t(s) });
const stages = [{ name: "thumbnail_64", label: "Thumbnail 64 px", weight: 1 }];

test("timeline: spans get their durations, a failure its message and stage, a retry the next attempt's time, a cancel its reason", () => {
  const events: TaskEvent[] = [
    { type: "TaskAccepted", ...base(0), task, stages },
    { type: "DownloadStarted", ...base(1) },
    { type: "DownloadCompleted", ...base(3), size_bytes: 1234 },
    { type: "SlotRequested", ...base(3) },
    { type: "SlotGranted", ...base(10), cpu_percent: 3, ram_bytes: 1e8, exclusive: false },
    { type: "StageStarted", ...base(10), stage: "thumbnail_64" },
    { type: "ProgressReported", ...base(11), stage: "thumbnail_64", done: 1, total: 2 },
    { type: "TaskFailed", ...base(12), error: { code: "INPUT_CORRUPT", message: "the JPEG ends early", stage: "thumbnail_64", recoverable: true }, will_retry: true },
    { type: "RetryScheduled", ...base(12), next_attempt: 2, delay_seconds: 30 },
    { type: "AttemptStarted", ...base(42, 2), reason: "retry" },
    { type: "StageStarted", ...base(45, 2), stage: "thumbnail_64" },
    { type: "TaskCancelled", ...base(50, 2), reason: "cancelled from the dashboard" },
  ];
  const entries = taskTimeline(events);
  const kinds = entries.map((e) => e.kind);
  assert.deepEqual(kinds, ["accepted", "download", "slot_wait", "stage", "failed", "retry", "attempt", "stage", "cancelled"], "progress reports are left out");
  assert.equal(entries[1]!.duration_seconds, 2);
  assert.equal(entries[1]!.detail, "1.2 KiB", "sizes read as people read them");
  assert.equal(entries[2]!.duration_seconds, 7, "the wait for a slot is its own span");
  assert.equal(entries[2]!.detail, "granted 3% CPU, 95 MiB RAM");
  assert.equal(entries[3]!.title, "Stage: Thumbnail 64 px", "stages are named by their planned label");
  assert.equal(entries[3]!.duration_seconds, null, "a stage cut short by a failure has no duration");
  assert.equal(entries[4]!.detail, "the JPEG ends early");
  assert.equal(entries[4]!.stage, "thumbnail_64");
  assert.equal(entries[5]!.next_attempt_at, t(42));
  assert.equal(entries[6]!.attempt, 2);
  assert.equal(entries[7]!.duration_seconds, null);
  assert.equal(entries[8]!.detail, "cancelled from the dashboard");
});

test("timeline: a completed stage and the completion carry their durations", () => {
  const entries = taskTimeline([
    { type: "TaskAccepted", ...base(0), task, stages },
    { type: "StageStarted", ...base(1), stage: "thumbnail_64" },
    { type: "StageCompleted", ...base(4.5), stage: "thumbnail_64", outputs: [] },
    { type: "TaskCompleted", ...base(5), duration_seconds: 5 },
  ]);
  assert.deepEqual(
    entries.map((e) => [e.kind, e.duration_seconds]),
    [
      ["accepted", null],
      ["stage", 3.5],
      ["completed", 5],
    ],
  );
});

test("timeline: a webhook delivery that failed says what the receiver answered and when it is tried again", () => {
  const [entry] = taskTimeline([
    {
      type: "WebhookDeliveryAttempted",
      ...base(60),
      message_id: "m1",
      delivery_attempt: 1,
      url: "https://platform.example/hooks",
      status: 500,
      duration_ms: 120,
      delivered: false,
      next_attempt_at: t(90),
    },
  ]);
  assert.equal(entry!.kind, "webhook");
  assert.equal(entry!.title, "Webhook not delivered (try 1)");
  assert.equal(entry!.detail, "https://platform.example/hooks: HTTP 500");
  assert.equal(entry!.next_attempt_at, t(90));
});
