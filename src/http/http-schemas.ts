import { z } from "zod";
import { ProgressMessage, TaskStatus } from "../contracts/progress-message.ts";
import { ResultError } from "../contracts/result-message.ts";
import { StoredOutput } from "../contracts/task-events.ts";
import { TASK_STATES } from "../machines/task.machine.ts";

/** The bodies the HTTP API answers with. The handlers build them with these types, and
 * /openapi.json is generated from the same schemas, so the document cannot drift from the code. */

export const ErrorBody = z.object({
  error: z.object({
    code: z.string().describe("A stable code (src/contracts/error-codes.ts), e.g. INVALID_MESSAGE, NOT_FOUND, TASK_ID_CONFLICT"),
    message: z.string(),
  }),
});

export const SubmitAccepted = z.object({
  task_id: z.string(),
  outcome: z.string().describe("accepted: a new task; duplicate: the same task was already submitted (200)"),
  state: z.string(),
});

export const SubmitRejected = z.object({
  task_id: z.string(),
  outcome: z.literal("rejected"),
  state: z.string(),
  error: ResultError.nullable().describe("Why it will not run: INVALID_PARAMS, UNSUPPORTED_TASK_TYPE, …"),
});

export const TaskView = z.object({
  task_id: z.string(),
  task_type: z.string().nullable(),
  tenant_id: z.string().nullable(),
  state: z.enum(TASK_STATES).describe("The machine's state, folded from the stream"),
  status: TaskStatus,
  attempt: z.number().int(),
  max_attempts: z.number().int().nullable(),
  stages: z.array(z.object({ name: z.string(), label: z.string(), completed: z.boolean(), starts: z.number().int() })),
  current_stage: z.string().nullable(),
  progress: ProgressMessage.shape.progress.nullable(),
  outputs: z.array(StoredOutput),
  error: ResultError.nullable(),
  rejected: z.boolean().describe("Refused at acceptance (bad params, a type this node cannot run): recorded as failed, never ran"),
  reason: z.string().nullable(),
  accepted_at: z.string().nullable(),
  updated_at: z.string().nullable(),
});
export type TaskView = z.infer<typeof TaskView>;

export const TaskList = z.object({
  tasks: z.array(TaskView),
  total: z.number().int().describe("How many tasks match the filters, over all pages"),
  next_cursor: z.string().nullable().describe("Pass as `cursor` for the next (older) page; null on the last page"),
});
export type TaskList = z.infer<typeof TaskList>;

const commaList = z.string().transform((s) =>
  s
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== ""),
);

/** GET /tasks: filters and paging. Rejected submissions are hidden unless asked for, so a burst of
 * bad messages cannot push real tasks off the page. */
export const TaskListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50).describe("Page size"),
    cursor: z.uuid().optional().describe("The task_id after which the page starts (from next_cursor)"),
    state: commaList
      .pipe(z.array(z.enum(TASK_STATES)).min(1))
      .optional()
      .describe("One state or several, comma-separated"),
    task_type: commaList
      .pipe(z.array(z.string().max(64)).min(1))
      .optional()
      .describe("One task type or several, comma-separated"),
    tenant_id: z.string().max(100).optional(),
    q: z.string().max(64).optional().describe("Part of a task_id (case-insensitive)"),
    rejected: z.enum(["hide", "include", "only"]).default("hide").describe("Tasks refused at acceptance: hidden by default"),
  })
  .strict();
export type TaskListQuery = z.infer<typeof TaskListQuery>;

export const TimelineEntry = z.object({
  at: z.string(),
  attempt: z.number().int(),
  kind: z.enum(["accepted", "attempt", "download", "slot_wait", "stage", "upload", "completed", "failed", "retry", "dead_lettered", "cancelled", "interrupted", "webhook"]),
  title: z.string(),
  detail: z.string().nullable(),
  duration_seconds: z.number().nullable().describe("For spans (download, slot wait, stage): null while it is open or when it was cut short"),
  stage: z.string().nullable(),
  next_attempt_at: z.string().nullable().describe("For a scheduled retry: when the next attempt starts; for a webhook delivery that failed: when it is tried again"),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;
export const TaskTimeline = z.object({ task_id: z.string(), entries: z.array(TimelineEntry) });

export const RetryAccepted = z.object({
  task_id: z.string(),
  retry: z.enum(["replayed", "requested"]).describe("replayed: its next attempt was started here; requested: its dead letter was republished to RabbitMQ"),
});

/** The node as its resource broker sees it. Task ids are not shown: a tenant's key sees the totals. */
export const NodeView = z.object({
  node_id: z.string(),
  capacity: z.object({ cores: z.number(), ram_bytes: z.number() }),
  target: z.object({ cpu_percent: z.number(), ram_percent: z.number() }),
  in_use: z.object({ cpu_percent: z.number(), ram_bytes: z.number() }).describe("Granted slots plus load the last measurement saw beyond them"),
  granted: z.object({ cpu_percent: z.number(), ram_bytes: z.number() }),
  measured: z.object({ cpu_percent: z.number(), ram_bytes: z.number() }).nullable().describe("The last sample of the whole node"),
  by_type: z.record(z.string(), z.object({ running: z.number().int(), waiting: z.number().int() })),
  running_here: z.number().int().describe("Task actors this node hosts (downloading, waiting, processing, uploading)"),
});
export type NodeView = z.infer<typeof NodeView>;

export const DeadLetter = z.object({
  task_id: z.string().nullable(),
  task_type: z.string().nullable(),
  attempt: z.number().int().nullable(),
  code: z.string().nullable(),
  reason: z.string().nullable(),
  dead_lettered_at: z.string().nullable(),
  replayable: z.boolean(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;
export const DeadLetterList = z.object({
  source: z.enum(["rabbitmq", "event_store"]).describe("rabbitmq: tasks.dlq; event_store: embedded mode has no DLQ, these are the dead-lettered and finally failed tasks"),
  entries: z.array(DeadLetter),
});

export const StreamEvents = z.object({
  stream: z.string().describe("task-<task_id>"),
  events: z.array(
    z
      .object({
        id: z.string(),
        revision: z.number().int(),
        position: z.string().or(z.number()),
        type: z.string(),
        data: z.record(z.string(), z.unknown()),
        metadata: z.record(z.string(), z.unknown()),
        created_at: z.string().optional(),
      })
      .catchall(z.unknown()),
  ),
});

export const CancelBody = z.object({ reason: z.string().max(500).optional() });
export const CancelAccepted = z.object({ task_id: z.string() }).catchall(z.unknown());

export const Health = z.object({ status: z.string() });
export const Readiness = z.object({
  status: z.enum(["ready", "not_ready"]),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional(), available: z.boolean().optional() })),
});
