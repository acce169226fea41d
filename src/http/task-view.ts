import type { TaskContext, TaskStateValue } from "../machines/task.machine.ts";
import { progressMessageOf } from "../projections/pure/progress.projection.ts";
import { statusOf } from "../projections/pure/task-status.ts";
import type { TaskView } from "./http-schemas.ts";

/** What GET /tasks/:id shows: the task's state as folded from its stream. */
export function taskView(taskId: string, state: TaskStateValue, ctx: TaskContext, now: Date): TaskView {
  return {
    task_id: taskId,
    task_type: ctx.task?.task_type ?? null,
    tenant_id: ctx.task?.tenant_id ?? null,
    state,
    status: statusOf(state),
    attempt: ctx.attempt,
    max_attempts: ctx.task?.retry.max_attempts ?? null,
    stages: ctx.stages.map((s) => ({ name: s.name, label: s.label, completed: ctx.completed[s.name] !== undefined, starts: ctx.stageStarts[s.name] ?? 0 })),
    current_stage: ctx.currentStage,
    progress: progressMessageOf(state, ctx, now)?.progress ?? null,
    outputs: state === "completed" ? ctx.outputs : Object.values(ctx.completed).flat(),
    error: ctx.error,
    rejected: isRejected(state, ctx),
    reason: ctx.reason,
    accepted_at: ctx.acceptedAt,
    updated_at: ctx.lastEventAt,
  };
}

/** Refused at acceptance: accepted and failed in one append, with no stage planned. */
export function isRejected(state: TaskStateValue, ctx: TaskContext): boolean {
  return state === "failed" && ctx.stages.length === 0;
}
