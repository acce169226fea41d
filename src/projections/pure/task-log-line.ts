import type { ErrorCode } from "../../contracts/error-codes.ts";
import type { TaskEvent } from "../../contracts/task-events.ts";
import { outcomeOf } from "./task-outcome.ts";

/** What a log line needs of a task that only its TaskAccepted says. */
export interface TaskLogMeta {
  task_type: string;
  tenant_id: string;
  /** Accepted and failed in one append (bad params, no processor, a key outside the prefix): the
   * accept wrote no stages, and the TaskFailed that follows is a rejection, not a run's failure. */
  rejected: boolean;
}

export interface TaskLogLine {
  level: "info" | "warn" | "error";
  msg: string;
  fields: { event: string; task_id: string; task_type: string; tenant_id: string; attempt: number; code: string } & Record<string, unknown>;
}

/** Codes that blame the message or the input, not the service: the platform's users fix them, so they
 * are warnings; an operator is paged for the rest. */
const USER_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "INVALID_MESSAGE",
  "INVALID_PARAMS",
  "UNSUPPORTED_TASK_TYPE",
  "UNSUPPORTED_FORMAT",
  "INPUT_CORRUPT",
  "INPUT_TOO_LARGE",
  "INPUT_EMPTY",
  "INPUT_NOT_FOUND",
  "UNSAFE_ARCHIVE",
  "ARCHIVE_BOMB",
  "PASSWORD_REQUIRED",
  "WRONG_PASSWORD",
  "DESTINATION_OUTSIDE_PREFIX",
  "WEBHOOK_REFUSED",
  "CANCELLED",
]);

export function isUserError(code: string): boolean {
  return USER_ERROR_CODES.has(code as ErrorCode);
}

export function taskLogMetaOf(e: Extract<TaskEvent, { type: "TaskAccepted" }>): TaskLogMeta {
  return { task_type: e.task.task_type, tenant_id: e.task.tenant_id, rejected: e.stages.length === 0 };
}

/** The one line a fact of a task's life is worth, or null: accepted, rejected, retried, replayed,
 * and its end (completed, failed, cancelled, dead-lettered). A recoverable failure past its last
 * attempt says nothing itself: the TaskDeadLettered appended with it is the line. */
export function taskLogLine(e: TaskEvent, meta: TaskLogMeta | undefined): TaskLogLine | null {
  const line = (level: TaskLogLine["level"], msg: string, code: string, extra: Record<string, unknown> = {}): TaskLogLine => ({
    level,
    msg,
    fields: { event: e.type, task_id: e.task_id, task_type: meta?.task_type ?? "unknown", tenant_id: meta?.tenant_id ?? "unknown", attempt: e.attempt, code, ...extra },
  });
  switch (e.type) {
    case "TaskAccepted":
      return e.stages.length === 0 ? null : line("info", "task accepted", "ACCEPTED", { stages: e.stages.map((s) => s.name) });
    case "AttemptStarted":
      return e.reason === "replay" ? line("info", "task replayed from the DLQ", "REPLAYED") : null;
    case "TaskFailed": {
      const error = { message: e.error.message, stage: e.error.stage, recoverable: e.error.recoverable };
      if (e.will_retry) return line("warn", "task attempt failed: retrying", e.error.code, error);
      if (meta?.rejected) return line("warn", "task rejected", e.error.code, error);
      if (e.error.recoverable) return null;
      return line(isUserError(e.error.code) ? "warn" : "error", "task failed", e.error.code, error);
    }
    case "TaskDeadLettered":
      return line("error", "task dead-lettered", outcomeOf(e)?.code || "INTERNAL", { reason: e.reason });
    case "TaskCancelled":
      return line("info", "task cancelled", "CANCELLED", { reason: e.reason });
    case "TaskCompleted":
      return line("info", "task completed", "COMPLETED", { duration_seconds: e.duration_seconds });
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
