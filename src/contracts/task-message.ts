import { z } from "zod";
import { TaskType } from "./task-types.ts";

/** Object keys are relative and never climb: a key with `..` segments, a leading `/`, a backslash or
 * a NUL is refused at the boundary so that no later join can leave its bucket prefix. */
export const ObjectKey = z
  .string()
  .min(1)
  .max(1024)
  // Patterns, not refinements, so the JSON Schema handed to Laravel checks the same rules.
  .regex(/^(?!\/)[^\\\u0000]*$/, "must be a relative key without backslashes or NUL")
  .regex(/^(?!(?:.*\/)?\.{1,2}(?:\/|$))/, "must not contain '.' or '..' segments");

export const TaskSource = z.object({
  bucket: z.string().min(1),
  key: ObjectKey,
  size_bytes: z.number().int().nonnegative().optional(),
  format: z.string().min(1).optional(),
});
export type TaskSource = z.infer<typeof TaskSource>;

export const TaskDestination = z.object({
  bucket: z.string().min(1),
  base_key: ObjectKey.regex(/\/$/, "base_key must end with '/'"),
});
export type TaskDestination = z.infer<typeof TaskDestination>;

export const DEFAULT_CALLBACK_QUEUE = "vision-s3d.results";

/** The results a webhook can ask for: the settled outcomes (a failure that will be retried is not
 * one: its task is not over). */
export const WebhookEvent = z.enum(["completed", "failed", "cancelled"]);
export type WebhookEvent = z.infer<typeof WebhookEvent>;

/** Where a task's settled result is POSTed, signed (src/webhooks). http(s) only and no user:password
 * part, as a pattern so the JSON Schema says it too; which hosts may be named is the service's
 * setting (WEBHOOK_ALLOWED_HOSTS, WEBHOOK_ALLOW_PRIVATE), checked when the task is accepted. */
export const WebhookUrl = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/, "must be an http:// or https:// URL without user:password@");

/** Callback queues live in a namespace the service owns: `vision-s3d.` then 1–200 letters, digits,
 * `.`, `_` or `-` (the default is one). So a task can never bind a broker queue (`amq.*`), one of
 * the service's own queues (`tasks.*`, `control.*`) or a name the broker refuses (over 255 bytes). */
export const CALLBACK_QUEUE_PATTERN = /^vision-s3d\.[A-Za-z0-9._-]{1,200}$/;
export const isServiceCallbackQueue = (name: string): boolean => CALLBACK_QUEUE_PATTERN.test(name);

/** The task message Laravel publishes to `vision.s3d.tasks` (DESIGN.md §2). Params are validated
 * later by the processor's own schema, so a bad param is INVALID_PARAMS, not INVALID_MESSAGE. */
export const TaskMessage = z.object({
  task_id: z.uuid(),
  tenant_id: z.uuid(),
  file_id: z.uuid(),
  task_type: TaskType,
  priority: z.number().int().min(0).max(10).default(5),
  submitted_at: z.iso.datetime({ offset: true }),
  source: TaskSource,
  destination: TaskDestination,
  params: z.record(z.string(), z.unknown()).default({}),
  webhook: z
    .object({
      callback_queue: z.string().min(1).default(DEFAULT_CALLBACK_QUEUE),
      progress_channel: z.string().min(1).optional(),
      /** POST the settled result here (signed with the service's WEBHOOK_SECRET). */
      url: WebhookUrl.describe(
        "POST the settled result here, signed: X-VS3D-Signature: sha256=HMAC-SHA256(secret, '<X-VS3D-Timestamp>.<raw body>'), Idempotency-Key: the result's message_id",
      ).optional(),
      /** Which settled outcomes to POST. Default: all of them. */
      events: z.array(WebhookEvent).min(1).max(3).describe("Which settled outcomes to POST; default: all").optional(),
    })
    .default({ callback_queue: DEFAULT_CALLBACK_QUEUE }),
  retry: z.object({ attempt: z.number().int().min(1).default(1), max_attempts: z.number().int().min(1).max(20).default(3) }).default({ attempt: 1, max_attempts: 3 }),
});
export type TaskMessage = z.infer<typeof TaskMessage>;
/** What a caller may send: defaults not yet applied. */
export type TaskMessageInput = z.input<typeof TaskMessage>;

/** A task message as the intake takes it: the stored shape plus the rules a new message must keep
 * (stored streams are read with `TaskMessage`, so a rule added here never makes old events unreadable).
 * - the attempt is within max_attempts (a DLQ replay raises max_attempts with the attempt);
 * - `webhook.progress_channel`, when given, is the task's own `task:<task_id>:progress`. */
export const IncomingTaskMessage = TaskMessage.superRefine((t, ctx) => {
  if (t.retry.attempt > t.retry.max_attempts) {
    ctx.addIssue({ code: "custom", path: ["retry", "attempt"], message: `attempt ${t.retry.attempt} is over max_attempts ${t.retry.max_attempts}` });
  }
  if (!isServiceCallbackQueue(t.webhook.callback_queue)) {
    ctx.addIssue({ code: "custom", path: ["webhook", "callback_queue"], message: `must match ${CALLBACK_QUEUE_PATTERN.source}` });
  }
  const own = taskProgressChannel(t.task_id);
  if (t.webhook.progress_channel !== undefined && t.webhook.progress_channel !== own) {
    ctx.addIssue({ code: "custom", path: ["webhook", "progress_channel"], message: `must be the task's own channel ${own} (or absent)` });
  }
});

/** Redis channel of a task's progress (DESIGN.md §2). A message may name it, but only as itself. */
export function taskProgressChannel(taskId: string): string {
  return `task:${taskId}:progress`;
}

export function progressChannel(task: Pick<TaskMessage, "task_id" | "webhook">): string {
  return task.webhook.progress_channel ?? taskProgressChannel(task.task_id);
}
