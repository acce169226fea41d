import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import type { TaskEvent } from "../../src/contracts/task-events.ts";
import { TaskListQuery } from "../../src/http/http-schemas.ts";
import type { IndexedTask } from "../../src/http/task-index.ts";
import { selectTasks } from "../../src/http/task-list-select.ts";
import { replayTask } from "../../src/machines/task-replay.ts";
import { sampleTask } from "../helpers/task-events.ts";

const at = "2026-12-01T10:00:00.000Z";
const stages = [{ name: "thumbnail_64", label: "64", weight: 1 }];

function indexed(kind: "running" | "completed" | "rejected", overrides: Record<string, unknown> = {}): IndexedTask {
  const task = sampleTask(overrides);
  const base = { task_id: task.task_id, attempt: 1, at };
  const events: TaskEvent[] =
    kind === "rejected"
      ? [
          { type: "TaskAccepted", ...base, task, stages: [] },
          { type: "TaskFailed", ...base, error: { code: "INVALID_PARAMS", message: "bad", stage: null, recoverable: false }, will_retry: false },
        ]
      : [
          { type: "TaskAccepted", ...base, task, stages },
          { type: "DownloadStarted", ...base },
        ];
  if (kind === "completed") {
    events.push(
      { type: "DownloadCompleted", ...base, size_bytes: 1 },
      { type: "SlotRequested", ...base },
      { type: "SlotGranted", ...base, cpu_percent: 3, ram_bytes: 1, exclusive: false },
      { type: "StageStarted", ...base, stage: "thumbnail_64" },
      { type: "StageCompleted", ...base, stage: "thumbnail_64", outputs: [] },
      { type: "UploadCompleted", ...base, outputs: [] },
      { type: "TaskCompleted", ...base, duration_seconds: 1 },
    );
  }
  return { taskId: task.task_id, snapshot: replayTask(events) };
}

const query = (q: Record<string, string>) => TaskListQuery.parse(q);

test("task list: 400 refused submissions do not push real tasks off the first page", () => {
  const real = [indexed("completed"), indexed("running")];
  const newestFirst = [...Array.from({ length: 400 }, () => indexed("rejected")), ...real];
  const page = selectTasks(newestFirst, query({ limit: "50" }), null, new Date());
  assert.deepEqual(
    page.tasks.map((t) => t.task_id),
    real.map((t) => t.taskId),
  );
  assert.equal(page.total, 2);
  const refused = selectTasks(newestFirst, query({ rejected: "only", limit: "500" }), null, new Date());
  assert.equal(refused.total, 400);
  assert.ok(refused.tasks.every((t) => t.rejected && t.state === "failed"));
});

test("task list: filters by state, type, tenant and id; pages by cursor without gaps or repeats", () => {
  const tenant = randomUUID();
  const tasks = [...Array.from({ length: 7 }, () => indexed("completed", { tenant_id: tenant })), ...Array.from({ length: 3 }, () => indexed("running", { task_type: "image_convert", params: {} }))];
  assert.equal(selectTasks(tasks, query({ state: "completed" }), null, new Date()).total, 7);
  assert.equal(selectTasks(tasks, query({ state: "downloading,completed" }), null, new Date()).total, 10);
  assert.equal(selectTasks(tasks, query({ task_type: "image_convert" }), null, new Date()).total, 3);
  assert.equal(selectTasks(tasks, query({ tenant_id: tenant }), null, new Date()).total, 7);
  const one = tasks[4]!.taskId;
  assert.deepEqual(
    selectTasks(tasks, query({ q: one.slice(9, 18).toUpperCase() }), null, new Date()).tasks.map((t) => t.task_id),
    [one],
  );
  // A key of a tenant sees its own tasks only, whatever the filter says.
  assert.equal(selectTasks(tasks, query({}), tenant, new Date()).total, 7);

  const seen: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10; pages++) {
    const page = selectTasks(tasks, query({ limit: "4", ...(cursor ? { cursor } : {}) }), null, new Date());
    seen.push(...page.tasks.map((t) => t.task_id));
    if (page.next_cursor === null) break;
    cursor = page.next_cursor;
  }
  assert.deepEqual(
    seen,
    tasks.map((t) => t.taskId),
  );
});

test("task list query: bad values and unknown parameters are refused", () => {
  for (const bad of [{ limit: "0" }, { limit: "501" }, { limit: "ten" }, { state: "exploded" }, { cursor: "nope" }, { rejected: "maybe" }, { stat: "failed" }]) {
    assert.equal(TaskListQuery.safeParse(bad).success, false, JSON.stringify(bad));
  }
  assert.equal(TaskListQuery.parse({}).limit, 50);
});
