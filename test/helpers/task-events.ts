import { randomUUID } from "node:crypto";
import type { TaskEvent } from "../../src/contracts/task-events.ts";
import { TaskMessage } from "../../src/contracts/task-message.ts";
import type { TaskSnapshot } from "../../src/machines/task-replay.ts";

export function sampleTask(overrides: Partial<Record<string, unknown>> = {}): TaskMessage {
  return TaskMessage.parse({
    task_id: randomUUID(),
    tenant_id: randomUUID(),
    file_id: randomUUID(),
    task_type: "image_thumbnail",
    submitted_at: "2026-11-22T10:00:00Z",
    source: { bucket: "in", key: "tenants/t/files/photo.jpg", size_bytes: 1234, format: "jpg" },
    destination: { bucket: "out", base_key: "tenants/t/processed/photo/" },
    params: { sizes: [64, 128] },
    ...overrides,
  });
}

/** Every event that could plausibly be appended next; the walker keeps those the machine accepts. */
export function candidateEvents(snapshot: TaskSnapshot, task: TaskMessage, at: string): TaskEvent[] {
  const c = snapshot.context;
  const base = { task_id: task.task_id, attempt: c.attempt, at };
  const stages = c.stages.length ? c.stages : [{ name: "thumbnail_64", label: "64", weight: 1 }];
  const output = (stage: string) => ({ path: `${stage}.webp`, type: "thumbnail", format: "webp", key: `k/${stage}.webp`, size_bytes: 10, content_type: "image/webp" });
  const stageEvents = stages.flatMap((s): TaskEvent[] => [
    { type: "StageCompleted", ...base, stage: s.name, outputs: [output(s.name)] },
    { type: "StageStarted", ...base, stage: s.name },
    { type: "ProgressReported", ...base, stage: s.name, done: 1, total: 2 },
  ]);
  return [
    {
      type: "TaskAccepted",
      ...base,
      task,
      stages: [
        { name: "thumbnail_64", label: "Thumbnail 64 px", weight: 1 },
        { name: "thumbnail_128", label: "Thumbnail 128 px", weight: 2 },
      ],
    },
    { type: "DownloadStarted", ...base },
    { type: "DownloadCompleted", ...base, size_bytes: 1234 },
    { type: "SlotGranted", ...base, cpu_percent: 3, ram_bytes: 1e8, exclusive: false },
    { type: "SlotRequested", ...base },
    ...stageEvents,
    { type: "UploadCompleted", ...base, outputs: Object.values(c.completed).flat() },
    { type: "TaskCompleted", ...base, duration_seconds: 3 },
    { type: "TaskFailed", ...base, error: { code: "INTERNAL", message: "boom", stage: null, recoverable: true }, will_retry: true },
    { type: "TaskFailed", ...base, error: { code: "INPUT_CORRUPT", message: "bad", stage: "thumbnail_64", recoverable: false }, will_retry: false },
    { type: "RetryScheduled", ...base, next_attempt: c.attempt + 1, delay_seconds: 30 },
    { type: "AttemptStarted", ...base, attempt: c.attempt + 1, reason: "retry" },
    { type: "TaskDeadLettered", ...base, reason: "max attempts" },
    { type: "TaskCancelled", ...base, reason: "user" },
    { type: "TaskInterrupted", ...base, reason: "restart" },
  ];
}
