import type { OutputRef, ResultMessage, ResultWarning } from "../../contracts/result-message.ts";
import type { StoredOutput, TaskEvent } from "../../contracts/task-events.ts";
import type { TaskContext } from "../../machines/task.machine.ts";

const toRef = (o: StoredOutput): OutputRef => ({ type: o.type, format: o.format, key: o.key, size_bytes: o.size_bytes });
/** Files that belong to another output (tiles of a tileset) are not results of their own. */
const listed = (outputs: readonly StoredOutput[]): OutputRef[] => outputs.filter((o) => o.part_of === undefined).map(toRef);

/** Every completed stage's warnings, in stage order, each with the stage and the output it concerns. */
function warningsOf(context: TaskContext): ResultWarning[] {
  const order = new Map(context.stages.map((s, i) => [s.name, i]));
  const stages = Object.keys(context.completed).sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity));
  return stages.flatMap((stage) => context.completed[stage]!.flatMap((o) => (o.warnings ?? []).map((w) => ({ ...w, stage, output_key: o.key }))));
}

/** The result an outcome event projects to, or null for events that are not outcomes. One result
 * per outcome: TaskCompleted, TaskFailed (retrying or not), TaskCancelled. `context` is the state
 * after the event was applied. */
export function resultMessageOf(event: TaskEvent, context: TaskContext): ResultMessage | null {
  const task = context.task;
  if (!task) return null;
  const ids = { task_id: task.task_id, tenant_id: task.tenant_id, file_id: task.file_id };
  const duration = context.acceptedAt ? Math.max(0, (Date.parse(event.at) - Date.parse(context.acceptedAt)) / 1000) : 0;
  const partial = listed(Object.values(context.completed).flat());

  switch (event.type) {
    case "TaskCompleted": {
      const warnings = warningsOf(context);
      return {
        ...ids,
        status: "completed",
        completed_at: event.at,
        duration_seconds: event.duration_seconds,
        outputs: listed(context.outputs),
        ...(warnings.length > 0 ? { warnings } : {}),
      };
    }
    case "TaskFailed":
      return {
        ...ids,
        status: "failed",
        failed_at: event.at,
        duration_seconds: duration,
        error: event.error,
        partial_outputs: partial,
        retry: { attempt: event.attempt, will_retry: event.will_retry },
      };
    case "TaskCancelled":
      return {
        ...ids,
        status: "failed",
        failed_at: event.at,
        duration_seconds: duration,
        error: { code: "CANCELLED", message: `cancelled: ${event.reason}`, stage: null, recoverable: false },
        partial_outputs: partial,
        retry: { attempt: event.attempt, will_retry: false },
      };
    case "TaskAccepted":
    case "AttemptStarted":
    case "DownloadStarted":
    case "DownloadCompleted":
    case "SlotRequested":
    case "SlotGranted":
    case "StageStarted":
    case "ProgressReported":
    case "StageCompleted":
    case "UploadCompleted":
    case "RetryScheduled":
    case "TaskDeadLettered":
    case "TaskInterrupted":
    case "WebhookDeliveryAttempted":
      return null;
  }
}
