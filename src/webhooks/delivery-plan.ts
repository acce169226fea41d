import type { ResultMessage } from "../contracts/result-message.ts";
import { isAuditEvent, type TaskEvent } from "../contracts/task-events.ts";
import { WebhookEvent } from "../contracts/task-message.ts";
import { applyTaskEvent, initialTaskSnapshot } from "../machines/task-replay.ts";
import { resultMessageOf } from "../projections/pure/result.projection.ts";

/** The events that can carry a result (resultMessageOf): the only ones worth reading a stream for. */
export const RESULT_EVENT_TYPES: ReadonlySet<string> = new Set(["TaskCompleted", "TaskFailed", "TaskCancelled"]);

/** One settled result to POST. */
export interface WebhookJob {
  /** The id of the outcome event: the result's message_id, as on the results queue. */
  messageId: string;
  taskId: string;
  tenantId: string;
  /** The task's attempt the result belongs to. */
  taskAttempt: number;
  url: string;
  event: WebhookEvent;
  message: ResultMessage;
}

export type DeliveryPlan =
  /** No webhook for this event: no URL, not a settling result, or an outcome the task did not ask for. */
  | { kind: "none" }
  /** The task was opened again after this result (a DLQ replay): its new outcome brings its own. */
  | { kind: "reopened" }
  /** Delivered, or its last POST failed: nothing more to do. */
  | { kind: "finished"; delivered: boolean }
  /** POST number `deliveryAttempt` is due at `dueAt` (ms since the epoch; null: now). `revision` is
   * the stream's last revision, the expected revision of the audit event's append. */
  | { kind: "due"; job: WebhookJob; deliveryAttempt: number; dueAt: number | null; revision: number };

/** What is left to do for the result of event `outcomeId`, from the task's stream alone: the
 * audit events it holds say how many POSTs were made and when the next is due, so a restarted or a
 * new leader carries on where the last one stopped. Pure. */
export function deliveryPlan(events: readonly { id: string; revision: number; event: TaskEvent }[], outcomeId: string): DeliveryPlan {
  const at = events.findIndex((e) => e.id === outcomeId);
  if (at < 0) return { kind: "none" };
  let snapshot = initialTaskSnapshot();
  for (const e of events.slice(0, at + 1)) snapshot = applyTaskEvent(snapshot, e.event);
  const outcome = events[at]!.event;
  const message = resultMessageOf(outcome, snapshot.context);
  const task = snapshot.context.task;
  const url = task?.webhook.url;
  // A task refused for its webhook has its failed result on the results queue only.
  if (!message || !task || url === undefined || (message.status === "failed" && message.error.code === "WEBHOOK_REFUSED")) return { kind: "none" };
  const settles = message.status === "completed" || !message.retry.will_retry;
  const event: WebhookEvent = outcome.type === "TaskCompleted" ? "completed" : outcome.type === "TaskCancelled" ? "cancelled" : "failed";
  if (!settles || !(task.webhook.events ?? WebhookEvent.options).includes(event)) return { kind: "none" };

  const audits = [];
  for (const later of events.slice(at + 1)) {
    const e = later.event;
    if (isAuditEvent(e)) {
      if (e.message_id === outcomeId) audits.push(e);
    } else if (e.type !== "TaskDeadLettered") {
      // TaskDeadLettered comes in the same append as its failure; anything else reopened the task.
      return { kind: "reopened" };
    }
  }
  if (audits.some((a) => a.delivered)) return { kind: "finished", delivered: true };
  const last = audits.at(-1);
  if (last && last.next_attempt_at === undefined) return { kind: "finished", delivered: false };
  return {
    kind: "due",
    job: { messageId: outcomeId, taskId: task.task_id, tenantId: task.tenant_id, taskAttempt: outcome.attempt, url, event, message },
    deliveryAttempt: audits.length + 1,
    dueAt: last?.next_attempt_at === undefined ? null : Date.parse(last.next_attempt_at),
    revision: events.at(-1)!.revision,
  };
}
