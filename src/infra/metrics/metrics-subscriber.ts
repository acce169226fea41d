import type { TaskEvent } from "../../contracts/task-events.ts";
import { TaskEvent as TaskEventSchema } from "../../contracts/task-events.ts";
import type { EventStore } from "../ports/event-store.port.ts";
import type { Metrics } from "./metrics.ts";

/** Counts what happens to tasks from the event store, live from now on: a subscriber like the other
 * projections, so every node's /metrics sees the whole fleet's task events. */
export async function runMetricsSubscriber(store: EventStore, metrics: Metrics, signal: AbortSignal): Promise<void> {
  const head = (await store.headPosition()) ?? undefined;
  const taskTypes = new Map<string, string>();
  const stageStarts = new Map<string, number>();
  for await (const stored of store.subscribeToAll({ streamPrefix: "task-", signal, ...(head !== undefined ? { after: head } : {}) })) {
    const parsed = TaskEventSchema.safeParse(stored.data);
    if (!parsed.success) continue;
    const e: TaskEvent = parsed.data;
    if (e.type === "TaskAccepted") taskTypes.set(e.task_id, e.task.task_type);
    const taskType = taskTypes.get(e.task_id) ?? "unknown";
    metrics.events.inc({ type: e.type, task_type: taskType });
    if (e.type === "StageStarted") stageStarts.set(`${e.task_id}/${e.stage}`, stored.createdAt.getTime());
    if (e.type === "StageCompleted") {
      const started = stageStarts.get(`${e.task_id}/${e.stage}`);
      if (started !== undefined) metrics.stageDuration.observe({ task_type: taskType, stage: e.stage }, (stored.createdAt.getTime() - started) / 1000);
      stageStarts.delete(`${e.task_id}/${e.stage}`);
    }
    if (e.type === "TaskCompleted") {
      metrics.finished.inc({ task_type: taskType, outcome: "completed", code: "" });
      metrics.duration.observe({ task_type: taskType }, e.duration_seconds);
    }
    if (e.type === "TaskFailed") metrics.finished.inc({ task_type: taskType, outcome: e.will_retry ? "retrying" : "failed", code: e.error.code });
    if (e.type === "TaskCancelled") metrics.finished.inc({ task_type: taskType, outcome: "cancelled", code: "CANCELLED" });
    if (e.type === "TaskDeadLettered") metrics.finished.inc({ task_type: taskType, outcome: "dead_lettered", code: "" });
    if (["TaskCompleted", "TaskCancelled", "TaskDeadLettered"].includes(e.type)) taskTypes.delete(e.task_id);
  }
}
