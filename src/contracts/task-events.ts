import { z } from "zod";
import { ResultError, ResultWarning } from "./result-message.ts";
import { TaskMessage } from "./task-message.ts";

/** A stage as the processor planned it; recorded so replay needs no processor code. */
export const PlannedStage = z.object({ name: z.string(), label: z.string(), weight: z.number().positive() });
export type PlannedStage = z.infer<typeof PlannedStage>;

/** A warning as a stage hands it over, attached to the file it concerns; the result adds the stage
 * and the output's key. */
export const OutputWarning = ResultWarning.omit({ stage: true, output_key: true });
export type OutputWarning = z.infer<typeof OutputWarning>;

/** An output as recorded in the stream: already uploaded, so any node can resume from it. */
export const StoredOutput = z.object({
  path: z.string(),
  type: z.string(),
  format: z.string(),
  key: z.string(),
  size_bytes: z.number().int().nonnegative(),
  content_type: z.string(),
  /** Set on a file that belongs to another output (a tile of a tileset): it is uploaded and
   * checkpointed like any output, but results list only the output it belongs to. */
  part_of: z.string().optional(),
  /** What the stage that wrote this file could not do in full; the completed result lists them. */
  warnings: z.array(OutputWarning).optional(),
});
export type StoredOutput = z.infer<typeof StoredOutput>;

/** A failure as recorded in the stream: the same shape the failed result carries. */
export const EventError = ResultError;

const at = z.iso.datetime({ offset: true });
const base = { task_id: z.string(), attempt: z.number().int().min(1), at };

/** Stream `task-<task_id>` (DESIGN.md §4). Every type is a past-tense fact; data is validated when
 * read back, so a store that returns garbage is caught at the boundary, not inside the machine. */
export const TaskEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("TaskAccepted"), ...base, task: TaskMessage, stages: z.array(PlannedStage) }),
  z.object({ type: z.literal("AttemptStarted"), ...base, reason: z.enum(["retry", "replay"]) }),
  z.object({ type: z.literal("DownloadStarted"), ...base }),
  z.object({ type: z.literal("DownloadCompleted"), ...base, size_bytes: z.number().int().nonnegative() }),
  z.object({ type: z.literal("SlotRequested"), ...base }),
  z.object({ type: z.literal("SlotGranted"), ...base, cpu_percent: z.number(), ram_bytes: z.number(), exclusive: z.boolean() }),
  z.object({ type: z.literal("StageStarted"), ...base, stage: z.string() }),
  z.object({
    type: z.literal("ProgressReported"),
    ...base,
    stage: z.string(),
    done: z.number().nonnegative(),
    total: z.number().nonnegative(),
    label: z.string().optional(),
    /** What done/total count ("points", "bytes", "frames", …); absent: steps of the stage. */
    unit: z.string().max(32).optional(),
  }),
  z.object({ type: z.literal("StageCompleted"), ...base, stage: z.string(), outputs: z.array(StoredOutput) }),
  z.object({ type: z.literal("UploadCompleted"), ...base, outputs: z.array(StoredOutput) }),
  z.object({ type: z.literal("TaskCompleted"), ...base, duration_seconds: z.number().nonnegative() }),
  z.object({ type: z.literal("TaskFailed"), ...base, error: EventError, will_retry: z.boolean() }),
  z.object({ type: z.literal("RetryScheduled"), ...base, next_attempt: z.number().int().min(2), delay_seconds: z.number().nonnegative() }),
  z.object({ type: z.literal("TaskDeadLettered"), ...base, reason: z.string() }),
  z.object({ type: z.literal("TaskCancelled"), ...base, reason: z.string() }),
  z.object({ type: z.literal("TaskInterrupted"), ...base, reason: z.string() }),
  z.object({
    type: z.literal("WebhookDeliveryAttempted"),
    ...base,
    /** The result delivered: its message_id (the id of the outcome event it projects). */
    message_id: z.string(),
    /** 1 for the first POST of this result, then 2, 3, … (`attempt` stays the task's attempt). */
    delivery_attempt: z.number().int().min(1),
    url: z.string(),
    /** The receiver's HTTP status; absent when no answer came (then `error` says why). */
    status: z.number().int().optional(),
    error: z.string().max(500).optional(),
    duration_ms: z.number().int().nonnegative(),
    delivered: z.boolean(),
    /** When the next POST is due; absent when this one was delivered or was the last. */
    next_attempt_at: at.optional(),
  }),
]);
export type TaskEvent = z.infer<typeof TaskEvent>;
export type TaskEventType = TaskEvent["type"];
/** An event's payload before the common fields are stamped on. */
export type TaskEventBody<T extends TaskEventType> = Omit<Extract<TaskEvent, { type: T }>, "task_id" | "attempt" | "at">;

/** Every task's stream id starts with this: `task-<task_id>`. Readers of all tasks filter on it. */
export const TASK_STREAM_PREFIX = "task-";

/** Audit events: written into a task's stream by a projection (the webhook deliverer) after the task
 * settled, to show what was done with its result. They are not machine transitions: the fold, the
 * projections and metrics pass them over, so they never change a task's state. */
export const AUDIT_EVENT_TYPES = ["WebhookDeliveryAttempted"] as const satisfies readonly TaskEventType[];
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
export type AuditEvent = Extract<TaskEvent, { type: AuditEventType }>;
export const isAuditEventType = (type: string): type is AuditEventType => (AUDIT_EVENT_TYPES as readonly string[]).includes(type);
export const isAuditEvent = (event: TaskEvent): event is AuditEvent => isAuditEventType(event.type);

export function taskStreamId(taskId: string): string {
  return `${TASK_STREAM_PREFIX}${taskId}`;
}

/** The task id of a task stream id (the inverse of taskStreamId). */
export function taskIdOfStream(streamId: string): string {
  return streamId.slice(TASK_STREAM_PREFIX.length);
}
