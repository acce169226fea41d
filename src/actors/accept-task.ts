import { AppError, toAppError } from "../contracts/app-error.ts";
import { asFolder, assertUnderPrefix, resolveTenantPrefix } from "../storage-rules/key-policy.ts";
import type { PlannedStage } from "../contracts/task-events.ts";
import type { TaskMessage } from "../contracts/task-message.ts";
import type { InputObjects } from "../processors/processor.ts";
import type { ProcessorRegistry } from "../processors/registry.ts";
import { LostOwnershipError, TaskStream } from "./task-stream.ts";
import type { TaskRuntime } from "./task-runtime.ts";
import { taskWebhookRefusal } from "../webhooks/task-webhook-check.ts";

export type AcceptOutcome = "new" | "rejected" | "retry" | "replay" | "duplicate";

/** A task_id already recorded with another message: neither copy may silently win. The intake
 * answers HTTP 409 and dead-letters an AMQP copy (no result: results are keyed by task_id, and the
 * first task's own result is the one that counts). */
export class TaskConflictError extends AppError {
  constructor(taskId: string, fields: readonly string[]) {
    super("INVALID_MESSAGE", `task_id ${taskId} is already a task with another message (differs in ${fields.join(", ")}): refused`, { details: { conflict: true, fields } });
    this.name = "TaskConflictError";
  }
}

export interface AcceptOptions {
  /** The message's params are not a JSON object: accept and fail at once with INVALID_PARAMS. */
  paramsError?: string;
}

/** Records a task message in its stream. A new task is accepted (or accepted and failed at once when
 * its type, params or keys are bad, so it still gets a result); a message for an existing stream is
 * the next attempt, a replay from the DLQ, or a duplicate delivery, which changes nothing. */
export async function acceptTask(
  rt: Pick<TaskRuntime, "store" | "registry" | "tenantPrefix" | "clock" | "webhooks">,
  task: TaskMessage,
  causationId?: string,
  options: AcceptOptions = {},
): Promise<{ stream: TaskStream; outcome: AcceptOutcome }> {
  // Another writer appended first: a second delivery of this message (which then reads as the
  // duplicate), or a webhook audit event on a settled stream (a DLQ replay must still reopen it).
  // Decided again on the stream as it is now; still losing after that, the message is the duplicate.
  for (let tries = 1; ; tries += 1) {
    try {
      return await acceptOnce(rt, task, causationId, options);
    } catch (error) {
      if (!(error instanceof LostOwnershipError)) throw error;
      if (tries < 3) continue;
      const stream = await TaskStream.open(rt.store, task.task_id, rt.clock);
      assertSameTask(stream, task);
      return { stream, outcome: "duplicate" };
    }
  }
}

async function acceptOnce(
  rt: Pick<TaskRuntime, "store" | "registry" | "tenantPrefix" | "clock" | "webhooks">,
  task: TaskMessage,
  causationId: string | undefined,
  options: AcceptOptions,
): Promise<{ stream: TaskStream; outcome: AcceptOutcome }> {
  const stream = await TaskStream.open(rt.store, task.task_id, rt.clock);
  const attempt = task.retry.attempt;
  if (!stream.exists) {
    const plan = options.paramsError
      ? { stages: [], error: new AppError("INVALID_PARAMS", `invalid params for ${task.task_type}: ${options.paramsError}`) }
      : planStages(rt.registry, task, rt.tenantPrefix, rt.webhooks);
    const accepted = stream.event("TaskAccepted", { task, stages: plan.stages }, attempt);
    if (plan.error) {
      // Accepted and failed in one append, so a rejected task always has its failed result.
      await stream.appendAll([accepted, stream.event("TaskFailed", { error: plan.error.toJSON(), will_retry: false }, attempt)]);
      return { stream, outcome: "rejected" };
    }
    await stream.append(accepted, causationId);
    return { stream, outcome: "new" };
  }
  assertSameTask(stream, task);
  const ctx = stream.snapshot.context;
  if (attempt === ctx.attempt + 1 && ["retrying", "failed", "dead_lettered"].includes(stream.state)) {
    const reason = stream.state === "retrying" ? "retry" : "replay";
    const event = stream.event("AttemptStarted", { reason }, attempt);
    if (stream.canAppend(event)) {
      await stream.append(event, causationId);
      return { stream, outcome: reason };
    }
  }
  return { stream, outcome: "duplicate" };
}

function planStages(registry: ProcessorRegistry, task: TaskMessage, tenantPrefix: string | undefined, webhooks: TaskRuntime["webhooks"]): { stages: PlannedStage[]; error?: AppError } {
  const def = registry.get(task.task_type);
  if (!def) return { stages: [], error: new AppError("UNSUPPORTED_TASK_TYPE", `task type ${task.task_type} has no processor yet`) };
  const webhookRefusal = taskWebhookRefusal(task, webhooks);
  if (webhookRefusal !== null) return { stages: [], error: new AppError("WEBHOOK_REFUSED", webhookRefusal) };
  if (tenantPrefix) {
    try {
      const prefix = resolveTenantPrefix(tenantPrefix, task.tenant_id);
      assertUnderPrefix(task.source.key, prefix);
      assertUnderPrefix(task.destination.base_key, prefix);
    } catch (error) {
      return { stages: [], error: toAppError(error) };
    }
  }
  const parsed = def.params.safeParse(task.params);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "params"}: ${i.message}`).join("; ");
    return { stages: [], error: new AppError("INVALID_PARAMS", `invalid params for ${task.task_type}: ${issues}`) };
  }
  const objects = def.inputObjects?.(parsed.data) ?? null;
  if (objects) {
    try {
      assertWithinSourceArea(task, objects, tenantPrefix);
    } catch (error) {
      return { stages: [], error: toAppError(error) };
    }
  }
  const stages = def.stages(parsed.data).map((s) => ({ name: s.name, label: s.label, weight: s.weight ?? 1 }));
  return { stages };
}

/** The rule for tasks that read a set of objects (archive_compress): every key and the prefix must
 * lie within the task's own source area — the tenant prefix when TENANT_PREFIX is set, else the
 * folder of `source.key` — so no message can read another tenant's objects or a whole bucket. An
 * empty area (a source.key without a folder, no tenant prefix) admits nothing. */
export function assertWithinSourceArea(task: TaskMessage, objects: InputObjects, tenantPrefix: string | undefined): void {
  const area = tenantPrefix ? resolveTenantPrefix(tenantPrefix, task.tenant_id) : task.source.key.slice(0, task.source.key.lastIndexOf("/") + 1);
  if (area === "") {
    throw new AppError("DESTINATION_OUTSIDE_PREFIX", "a task that reads several objects needs a source.key inside a folder (or TENANT_PREFIX): that folder is the only area it may read");
  }
  if ("prefix" in objects) assertUnderPrefix(`${asFolder(objects.prefix)}x`, area);
  else {
    if (objects.base !== undefined) assertUnderPrefix(`${asFolder(objects.base)}x`, area);
    for (const key of objects.keys) assertUnderPrefix(key, area);
  }
}

/** Fields of the message that must match the recorded task for a copy to count as the same task.
 * `retry` may differ: a retry or a DLQ replay is the same task at its next attempt. */
function assertSameTask(stream: TaskStream, task: TaskMessage): void {
  const recorded = stream.snapshot.context.task;
  if (!recorded) return;
  const fields = (Object.keys({ ...recorded, ...task }) as (keyof TaskMessage)[]).filter((k) => k !== "retry" && canonicalJson(recorded[k]) !== canonicalJson(task[k]));
  if (fields.length > 0) throw new TaskConflictError(task.task_id, fields);
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}
