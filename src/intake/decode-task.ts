import { MESSAGE_LIMITS, jsonSafetyIssue } from "../contracts/json-safety.ts";
import type { FailedResult } from "../contracts/result-message.ts";
import { DEFAULT_CALLBACK_QUEUE, IncomingTaskMessage, taskProgressChannel, type TaskMessage } from "../contracts/task-message.ts";

/** What can still be read from a message that breaks the contract, to send its failed result. */
export interface Salvage {
  task_id: string;
  tenant_id: string;
  file_id: string;
  callback_queue: string;
}

export type Decoded =
  /** `paramsError`: the message is a task, but its params are not a JSON object: it is accepted and
   * failed at once with INVALID_PARAMS (its params recorded as `{}`), like any other bad params. */
  | { kind: "task"; task: TaskMessage; paramsError?: string }
  /** `tooLarge`: over MESSAGE_LIMITS.maxBytes (HTTP answers 413). */
  | { kind: "invalid"; reason: string; salvage: Salvage | null; tooLarge?: boolean };

export type MessageLimits = typeof MESSAGE_LIMITS;

/** Decodes a message body at the trust boundary — the one decoder of AMQP, HTTP and the CLI. Never
 * throws. In order: the size limit, UTF-8 JSON, the depth limit and the strings every store can hold
 * (no NUL, no lone surrogate, keys included), then the schema (an unknown task_type included). The
 * task_id is canonical lowercase, so an uppercase copy is the same task. */
export function decodeTask(content: Uint8Array, limits: MessageLimits = MESSAGE_LIMITS): Decoded {
  if (content.byteLength > limits.maxBytes) {
    return { kind: "invalid", reason: `message is ${content.byteLength} bytes, over the limit of ${limits.maxBytes} bytes`, salvage: null, tooLarge: true };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(content));
  } catch (error) {
    return { kind: "invalid", reason: `body is not valid UTF-8 JSON: ${error instanceof Error ? error.message : String(error)}`, salvage: null };
  }
  return decodeTaskValue(raw, limits);
}

/** The same checks on a value already parsed (no size check: the caller measured its bytes). */
export function decodeTaskValue(raw: unknown, limits: Pick<MessageLimits, "maxDepth"> = MESSAGE_LIMITS): Decoded {
  const unsafe = jsonSafetyIssue(raw, limits.maxDepth);
  if (unsafe !== null) return { kind: "invalid", reason: `task message cannot be stored: ${clip(unsafe)}`, salvage: salvage(raw) };
  const canonical = canonicalise(raw);
  const params = isRecord(canonical) ? canonical.params : undefined;
  const paramsError =
    params === undefined || isRecord(params) ? undefined : `params must be a JSON object, not ${Array.isArray(params) ? "an array" : params === null ? "null" : `a ${typeof params}`}`;
  const parsed = IncomingTaskMessage.safeParse(paramsError && isRecord(canonical) ? { ...canonical, params: {} } : canonical);
  if (parsed.success) return { kind: "task", task: parsed.data, ...(paramsError ? { paramsError } : {}) };
  const issues = parsed.error.issues.slice(0, 8).map((i) => `${i.path.join(".") || "(message)"}: ${i.message}`);
  return { kind: "invalid", reason: clip(`task message breaks the contract: ${issues.join("; ")}`), salvage: salvage(canonical) };
}

/** One form of a task_id: lowercase (UUIDs are case-insensitive; streams are named by the id). A
 * progress_channel that names the task's own channel in another case is the own channel. */
function canonicalise(raw: unknown): unknown {
  if (!isRecord(raw) || typeof raw.task_id !== "string") return raw;
  const id = raw.task_id.toLowerCase();
  const out: Record<string, unknown> = { ...raw, task_id: id };
  const webhook = raw.webhook;
  if (isRecord(webhook) && typeof webhook.progress_channel === "string" && webhook.progress_channel.toLowerCase() === taskProgressChannel(id)) {
    out.webhook = { ...webhook, progress_channel: taskProgressChannel(id) };
  }
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const clip = (s: string) => (s.length > 1000 ? `${s.slice(0, 999)}…` : s);

/** A result is only worth sending when the platform can match it to a task: a readable task_id. */
function salvage(raw: unknown): Salvage | null {
  if (typeof raw !== "object" || raw === null) return null;
  const r = raw as Record<string, unknown>;
  const taskId = text(r.task_id)?.toLowerCase();
  if (taskId === undefined) return null;
  const webhook = typeof r.webhook === "object" && r.webhook !== null ? (r.webhook as Record<string, unknown>) : {};
  return { task_id: taskId, tenant_id: text(r.tenant_id) ?? "", file_id: text(r.file_id) ?? "", callback_queue: text(webhook.callback_queue) ?? DEFAULT_CALLBACK_QUEUE };
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 && v.length <= 255 && !v.includes("\0") ? v : undefined);

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
