import type { TaskEvent } from "../../contracts/task-events.ts";

export type Outcome = "completed" | "failed" | "cancelled" | "dead_lettered";

/** The one event that ends a task, with its outcome, or null for every other event — so a task is
 * counted once whatever its history. A retried failure ends nothing; a recoverable failure past its
 * last attempt is followed, in the same append, by TaskDeadLettered, which is its end. */
export function outcomeOf(e: TaskEvent): { outcome: Outcome; code: string } | null {
  switch (e.type) {
    case "TaskCompleted":
      return { outcome: "completed", code: "" };
    case "TaskFailed":
      return !e.will_retry && !e.error.recoverable ? { outcome: "failed", code: e.error.code } : null;
    case "TaskCancelled":
      return { outcome: "cancelled", code: "CANCELLED" };
    case "TaskDeadLettered":
      return { outcome: "dead_lettered", code: /^([A-Z_]+) after /.exec(e.reason)?.[1] ?? "" };
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
    case "TaskInterrupted":
    case "WebhookDeliveryAttempted":
      return null;
  }
}
