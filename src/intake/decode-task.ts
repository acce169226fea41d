import type { FailedResult } from "../contracts/result-message.ts";
import { DEFAULT_CALLBACK_QUEUE, TaskMessage } from "../contracts/task-message.ts";

/** What can still be read from a message that breaks the contract, to send its failed result. */
export interface Salvage {
  task_id: string;
  tenant_id: string;
  file_id: string;
  callback_queue: string;
}

export type Decoded =
  | { kind: "task"; task: TaskMessage }
  | { kind: "invalid"; reason: string; salvage: Salvage | null };

/** Decodes a delivery's body at the trust boundary. Never throws: a body that is not UTF-8 JSON or
 * breaks the schema (an unknown task_type included) becomes a reason for the DLQ. */
export function decodeTask(content: Uint8Array): Decoded {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(content));
  } catch (error) {
    return { kind: "invalid", reason: `body is not valid UTF-8 JSON: ${error instanceof Error ? error.message : String(error)}`, salvage: null };
  }
  const parsed = TaskMessage.safeParse(raw);
  if (parsed.success) return { kind: "task", task: parsed.data };
  const issues = parsed.error.issues.slice(0, 8).map((i) => `${i.path.join(".") || "(message)"}: ${i.message}`);
  return { kind: "invalid", reason: `task message breaks the contract: ${issues.join("; ")}`, salvage: salvage(raw) };
}

/** A result is only worth sending when the platform can match it to a task: a readable task_id. */
function salvage(raw: unknown): Salvage | null {
  if (typeof raw !== "object" || raw === null) return null;
  const r = raw as Record<string, unknown>;
  const taskId = text(r.task_id);
  if (taskId === undefined) return null;
  const webhook = typeof r.webhook === "object" && r.webhook !== null ? (r.webhook as Record<string, unknown>) : {};
  return { task_id: taskId, tenant_id: text(r.tenant_id) ?? "", file_id: text(r.file_id) ?? "", callback_queue: text(webhook.callback_queue) ?? DEFAULT_CALLBACK_QUEUE };
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 && v.length <= 255 ? v : undefined);

/** The failed result of a message that never became a task: INVALID_MESSAGE, not retried. */
export function invalidMessageResult(s: Salvage, reason: string, now: Date): FailedResult {
  return {
    task_id: s.task_id,
    tenant_id: s.tenant_id,
    file_id: s.file_id,
    status: "failed",
    failed_at: now.toISOString(),
    duration_seconds: 0,
    error: { code: "INVALID_MESSAGE", message: reason, stage: null, recoverable: false },
    partial_outputs: [],
    retry: { attempt: 1, will_retry: false },
  };
}
