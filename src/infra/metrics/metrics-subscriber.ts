import type { TaskEvent } from "../../contracts/task-events.ts";
import { isAuditEvent, TASK_STREAM_PREFIX, TaskEvent as TaskEventSchema } from "../../contracts/task-events.ts";
import type { EventStore } from "../../ports/event-store.port.ts";
import type { Metrics } from "./metrics.ts";
import { outcomeOf } from "../../projections/pure/task-outcome.ts";

/** Counts what happens to tasks from the event store, live from now on: a subscriber like the other
 * projections, so every node's /metrics sees the whole fleet's task events. */
export async function runMetricsSubscriber(store: EventStore, metrics: Metrics, signal: AbortSignal): Promise<void> {
  const head = (await store.headPosition()) ?? undefined;
  const taskTypes = new Map<string, string>();
  const stageStarts = new Map<string, number>();
  const acceptedAt = new Map<string, number>();
  const slotAskedAt = new Map<string, number>();
  for await (const stored of store.subscribeToAll({ streamPrefix: TASK_STREAM_PREFIX, signal, ...(head !== undefined ? { after: head } : {}) })) {
    const parsed = TaskEventSchema.safeParse(stored.data);
    if (!parsed.success) continue;
    const e: TaskEvent = parsed.data;
    if (isAuditEvent(e)) continue;
    if (e.type === "TaskAccepted") {
      taskTypes.set(e.task_id, e.task.task_type);
      acceptedAt.set(e.task_id, stored.createdAt.getTime());
    }
    const taskType = taskTypes.get(e.task_id) ?? "unknown";
    metrics.events.inc({ type: e.type, task_type: taskType });
    if (e.type === "StageStarted") stageStarts.set(`${e.task_id}/${e.stage}`, stored.createdAt.getTime());
    if (e.type === "StageCompleted") {
      const started = stageStarts.get(`${e.task_id}/${e.stage}`);
      if (started !== undefined) metrics.stageDuration.observe({ task_type: taskType, stage: e.stage }, (stored.createdAt.getTime() - started) / 1000);
      stageStarts.delete(`${e.task_id}/${e.stage}`);
    }
    if (e.type === "SlotRequested") slotAskedAt.set(e.task_id, stored.createdAt.getTime());
    if (e.type === "SlotGranted") {
      const asked = slotAskedAt.get(e.task_id);
      if (asked !== undefined) metrics.slotWait.observe({ task_type: taskType }, Math.max(0, stored.createdAt.getTime() - asked) / 1000);
      slotAskedAt.delete(e.task_id);
    }
    if (e.type === "TaskFailed" && e.will_retry) metrics.retries.inc({ task_type: taskType, code: e.error.code });
    const end = outcomeOf(e);
    if (end) {
      metrics.finished.inc({ task_type: taskType, outcome: end.outcome, code: end.code });
      const accepted = acceptedAt.get(e.task_id);
      const seconds = e.type === "TaskCompleted" ? e.duration_seconds : accepted !== undefined ? (stored.createdAt.getTime() - accepted) / 1000 : undefined;
      if (seconds !== undefined) metrics.duration.observe({ task_type: taskType, outcome: end.outcome }, Math.max(0, seconds));
      taskTypes.delete(e.task_id);
      acceptedAt.delete(e.task_id);
      slotAskedAt.delete(e.task_id);
    }
  }
}
