import { AppError, toAppError } from "../contracts/app-error.ts";
import { assertUnderPrefix, resolveTenantPrefix } from "../infra/storage/key-policy.ts";
import type { PlannedStage } from "../contracts/task-events.ts";
import type { TaskMessage } from "../contracts/task-message.ts";
import type { ProcessorRegistry } from "../processors/registry.ts";
import { LostOwnershipError, TaskStream } from "./task-stream.ts";
import type { TaskRuntime } from "./task-runtime.ts";

export type AcceptOutcome = "new" | "rejected" | "retry" | "replay" | "duplicate";

/** Records a task message in its stream. A new task is accepted (or accepted and failed at once when
 * its type, params or keys are bad, so it still gets a result); a message for an existing stream is
 * the next attempt, a replay from the DLQ, or a duplicate delivery, which changes nothing. */
export async function acceptTask(rt: Pick<TaskRuntime, "store" | "registry" | "tenantPrefix" | "clock">, task: TaskMessage, causationId?: string): Promise<{ stream: TaskStream; outcome: AcceptOutcome }> {
  try {
    return await acceptOnce(rt, task, causationId);
  } catch (error) {
    // Two deliveries of one message raced for the stream: the loser's message is the duplicate.
    if (!(error instanceof LostOwnershipError)) throw error;
    return { stream: await TaskStream.open(rt.store, task.task_id, rt.clock), outcome: "duplicate" };
  }
}

async function acceptOnce(rt: Pick<TaskRuntime, "store" | "registry" | "tenantPrefix" | "clock">, task: TaskMessage, causationId?: string): Promise<{ stream: TaskStream; outcome: AcceptOutcome }> {
  const stream = await TaskStream.open(rt.store, task.task_id, rt.clock);
  const attempt = task.retry.attempt;
  if (!stream.exists) {
    const plan = planStages(rt.registry, task, rt.tenantPrefix);
    const accepted = stream.event("TaskAccepted", { task, stages: plan.stages }, attempt);
    if (plan.error) {
      // Accepted and failed in one append, so a rejected task always has its failed result.
      await stream.appendAll([accepted, stream.event("TaskFailed", { error: plan.error.toJSON(), will_retry: false }, attempt)]);
      return { stream, outcome: "rejected" };
    }
    await stream.append(accepted, causationId);
    return { stream, outcome: "new" };
  }
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

function planStages(registry: ProcessorRegistry, task: TaskMessage, tenantPrefix: string | undefined): { stages: PlannedStage[]; error?: AppError } {
  const def = registry.get(task.task_type);
  if (!def) return { stages: [], error: new AppError("UNSUPPORTED_TASK_TYPE", `task type ${task.task_type} has no processor yet`) };
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
  const stages = def.stages(parsed.data).map((s) => ({ name: s.name, label: s.label, weight: s.weight ?? 1 }));
  return { stages };
}
