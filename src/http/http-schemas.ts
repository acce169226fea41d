import { z } from "zod";
import { ProgressMessage, TaskStatus } from "../contracts/progress-message.ts";
import { ResultError } from "../contracts/result-message.ts";
import { StoredOutput } from "../contracts/task-events.ts";

/** The bodies the HTTP API answers with. The handlers build them with these types, and
 * /openapi.json is generated from the same schemas, so the document cannot drift from the code. */

export const TASK_STATES = ["new", "queued", "downloading", "waiting_for_slot", "processing", "uploading", "retrying", "completed", "failed", "dead_lettered", "cancelled"] as const;

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
  reason: z.string().nullable(),
  accepted_at: z.string().nullable(),
  updated_at: z.string().nullable(),
});
export type TaskView = z.infer<typeof TaskView>;

export const TaskList = z.object({ tasks: z.array(TaskView) });

export const StreamEvents = z.object({
  stream: z.string().describe("task-<task_id>"),
  events: z.array(z.object({
    id: z.string(), revision: z.number().int(), position: z.string().or(z.number()), type: z.string(),
    data: z.record(z.string(), z.unknown()), metadata: z.record(z.string(), z.unknown()), created_at: z.string().optional(),
  }).catchall(z.unknown())),
});

export const CancelBody = z.object({ reason: z.string().max(500).optional() });
export const CancelAccepted = z.object({ task_id: z.string() }).catchall(z.unknown());

export const Health = z.object({ status: z.string() });
export const Readiness = z.object({
  status: z.enum(["ready", "not_ready"]),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional(), available: z.boolean().optional() })),
});
