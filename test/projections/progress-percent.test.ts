import { test } from "node:test";
import assert from "node:assert/strict";
import type { TaskEvent } from "../../src/contracts/task-events.ts";
import { replayTask, stateOf } from "../../src/machines/task-replay.ts";
import { progressMessageOf } from "../../src/projections/pure/progress.projection.ts";
import { sampleTask } from "../helpers/task-events.ts";

test("overall percent weighs stages and never runs backwards, also when a stage starts before the previous one's upload completes", () => {
  const task = sampleTask();
  const at = "2026-11-22T10:00:00Z";
  const b = { task_id: task.task_id, attempt: 1, at };
  const out = (p: string) => [{ path: p, type: "x", format: "txt", key: `k/${p}`, size_bytes: 1, content_type: "text/plain" }];
  const history: TaskEvent[] = [
    {
      type: "TaskAccepted",
      ...b,
      task,
      stages: [
        { name: "a", label: "A", weight: 1 },
        { name: "b", label: "B", weight: 3 },
      ],
    },
    { type: "DownloadStarted", ...b },
    { type: "DownloadCompleted", ...b, size_bytes: 1 },
    { type: "SlotGranted", ...b, cpu_percent: 1, ram_bytes: 1, exclusive: false },
    { type: "StageStarted", ...b, stage: "a" },
    { type: "ProgressReported", ...b, stage: "a", done: 1, total: 2 },
    { type: "StageStarted", ...b, stage: "b" },
    { type: "StageCompleted", ...b, stage: "a", outputs: out("a") },
    { type: "ProgressReported", ...b, stage: "b", done: 1, total: 2 },
    { type: "StageCompleted", ...b, stage: "b", outputs: out("b") },
    { type: "UploadCompleted", ...b, outputs: [...out("a"), ...out("b")] },
    { type: "TaskCompleted", ...b, duration_seconds: 1 },
  ];
  const percents = history.map((_, i) => {
    const snap = replayTask(history.slice(0, i + 1));
    return progressMessageOf(stateOf(snap), snap.context, new Date(at))!.progress.percent;
  });
  assert.deepEqual(
    percents,
    [...percents].sort((x, y) => x - y),
    `monotonic: ${percents.join(", ")}`,
  );
  assert.equal(percents[5], 12.5, "half of a stage weighing 1 of 4");
  assert.equal(percents[6], 25, "stage a counts as done once b runs");
  assert.equal(percents[8], 62.5);
  assert.equal(percents.at(-2), 99, "not 100 until the task has completed");
  assert.equal(percents.at(-1), 100);
});
