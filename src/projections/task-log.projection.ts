import type { Logger } from "../infra/logger.ts";
import type { CheckpointStore } from "../ports/checkpoint-store.port.ts";
import type { EventStore } from "../ports/event-store.port.ts";
import { isAuditEvent, TASK_STREAM_PREFIX, TaskEvent } from "../contracts/task-events.ts";
import { createCheckpointWriter } from "./checkpoint-writer.ts";
import type { ProjectionHooks } from "./projection-stats.ts";
import { outcomeOf } from "./pure/task-outcome.ts";
import { taskLogLine, taskLogMetaOf, type TaskLogMeta } from "./pure/task-log-line.ts";

export interface TaskLogProjectionOptions {
  store: EventStore;
  checkpoints: CheckpointStore;
  logger: Logger;
  signal: AbortSignal;
  /** Checkpoint name. */
  name: string;
  hooks?: ProjectionHooks;
}

/** One log line per fact of a task's life (accepted, rejected, retried, cancelled, dead-lettered,
 * completed, failed), written from the store rather than by whichever actor did it: the projection
 * runs on one node at a time (its lock) from its checkpoint, so a fleet logs each fact once — after
 * a crash the next leader repeats at most the unsaved tail (one checkpoint batch, ≤ 1 s). */
export async function runTaskLogProjection(o: TaskLogProjectionOptions): Promise<void> {
  const log = o.logger.child({ component: "task-log" });
  const after = await o.checkpoints.load(o.name);
  const writer = createCheckpointWriter({ checkpoints: o.checkpoints, name: o.name, onError: (error) => log.warn({ err: error, projection: o.name }, "checkpoint save failed; will retry") });
  const meta = new Map<string, TaskLogMeta>();
  // A task met mid-life (the projection started after its accept): its first event says who it is.
  const metaOf = async (taskId: string, streamId: string): Promise<TaskLogMeta | undefined> => {
    const known = meta.get(taskId);
    if (known) return known;
    const [first] = await o.store.readStream(streamId, { maxCount: 1 });
    const parsed = TaskEvent.safeParse(first?.data);
    return parsed.success && parsed.data.type === "TaskAccepted" ? taskLogMetaOf(parsed.data) : undefined;
  };
  try {
    for await (const event of o.store.subscribeToAll({ streamPrefix: TASK_STREAM_PREFIX, signal: o.signal, ...(after === null ? {} : { after }) })) {
      const parsed = TaskEvent.safeParse(event.data);
      // Audit records (webhook deliveries) are no fact of the task's life, and may follow its end.
      if (parsed.success && !isAuditEvent(parsed.data)) {
        const e = parsed.data;
        const m = e.type === "TaskAccepted" ? taskLogMetaOf(e) : await metaOf(e.task_id, event.streamId);
        const line = taskLogLine(e, m);
        if (line) log[line.level](line.fields, line.msg);
        if (outcomeOf(e)) meta.delete(e.task_id);
        else if (m) meta.set(e.task_id, m);
      } else if (!parsed.success) o.hooks?.parked();
      await writer.handled(event.position);
      o.hooks?.handled(event);
    }
  } finally {
    await writer.close().catch((error: unknown) => log.warn({ err: error, projection: o.name }, "final checkpoint save failed"));
  }
}
