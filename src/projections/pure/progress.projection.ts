import type { ProgressMessage } from "../../contracts/progress-message.ts";
import type { TaskContext, TaskStateValue } from "../../machines/task.machine.ts";
import { statusOf } from "./task-status.ts";

/** The progress message for a task in this state. Overall percent weighs each stage by its
 * planned weight, so a bar never runs backwards when a long stage follows a short one. */
export function progressMessageOf(state: TaskStateValue, context: TaskContext, now: Date): ProgressMessage | null {
  const task = context.task;
  if (!task) return null;
  const totalWeight = context.stages.reduce((sum, s) => sum + s.weight, 0) || 1;
  const current = context.progress;
  const currentIndex = context.stages.findIndex((s) => s.name === current?.stage);
  const currentStage = context.stages[currentIndex];
  // Stages before the running one have finished computing, even while their outputs still upload.
  const doneWeight = context.stages.filter((s, i) => context.completed[s.name] || (currentIndex >= 0 && i < currentIndex)).reduce((sum, s) => sum + s.weight, 0);
  const stageFraction = current && current.total > 0 ? Math.min(1, current.done / current.total) : 0;
  const runningWeight = currentStage && !context.completed[currentStage.name] ? currentStage.weight * stageFraction : 0;
  let percent = ((doneWeight + runningWeight) / totalWeight) * 100;
  if (state === "completed") percent = 100;
  else percent = Math.min(percent, 99);
  percent = Math.round(percent * 10) / 10;

  return {
    task_id: task.task_id,
    tenant_id: task.tenant_id,
    file_id: task.file_id,
    status: statusOf(state),
    progress: {
      percent,
      stage: current?.stage ?? null,
      stage_label: current?.label ?? currentStage?.label ?? null,
      items_done: current && current.total > 0 ? current.done : null,
      items_total: current && current.total > 0 ? current.total : null,
      items_unit: current && current.total > 0 ? current.unit : null,
      stage_index: currentIndex >= 0 ? currentIndex + 1 : null,
      stage_count: context.stages.length,
    },
    eta_seconds: etaSeconds(context, percent, now),
    emitted_at: now.toISOString(),
    attempt: context.attempt,
    error: state === "failed" || state === "dead_lettered" || state === "retrying" ? context.error : null,
  };
}

/** Remaining time at the pace of the processing so far: time holding a slot, not queue or retry waits. */
function etaSeconds(context: TaskContext, percent: number, now: Date): number | null {
  if (percent <= 1 || percent >= 100) return null;
  const open = context.processingSince ? Math.max(0, (now.getTime() - Date.parse(context.processingSince)) / 1000) : 0;
  const processing = context.processingSeconds + open;
  if (processing <= 0) return null;
  return Math.round((processing * (100 - percent)) / percent);
}

/** Progress throttling (DESIGN.md §2): at most one message per interval per task, except stage
 * changes and status changes (final states included), which are always sent. */
export interface ThrottleState {
  lastSentAt: number;
  lastStage: string | null;
  lastStatus: string | null;
}

export const PROGRESS_MIN_INTERVAL_MS = 2000;

export function shouldSendProgress(prev: ThrottleState | undefined, message: ProgressMessage, nowMs: number, minIntervalMs = PROGRESS_MIN_INTERVAL_MS): boolean {
  if (!prev) return true;
  if (message.status !== prev.lastStatus) return true;
  if (message.progress.stage !== prev.lastStage) return true;
  return nowMs - prev.lastSentAt >= minIntervalMs;
}
