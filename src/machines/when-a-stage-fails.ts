import type { SerializedError } from "../contracts/app-error.ts";
import type { TaskEventBody } from "../contracts/task-events.ts";
import type { TaskContext } from "./task.machine.ts";

/** What happens when a stage (or any step of a task) fails, stops or is cancelled: the pure
 * decisions, in one place. The host in src/actors catches the error, names it, asks here which facts
 * follow, and appends them in one append; the machine's own rules (task.machine.ts) then say which
 * state the task is in. Nothing here reads a clock, a store or the environment. */

/** Seconds before attempt n+1 when RETRY_DELAYS_SECONDS is empty. */
const FALLBACK_RETRY_DELAY_SECONDS = 30;

/** The delay before attempt n+1 (n = the attempt that failed, 1-based): the n-th configured delay,
 * the last one past the end. */
export function retryDelayFor(delays: readonly number[], attempt: number): number {
  return delays[attempt - 1] ?? delays[delays.length - 1] ?? FALLBACK_RETRY_DELAY_SECONDS;
}

/** The facts one failure becomes. Appended together, so a crash cannot split a failure from what
 * follows it:
 * - recoverable, attempts left → TaskFailed(will_retry) + RetryScheduled(next attempt, its delay)
 * - recoverable, last attempt  → TaskFailed + TaskDeadLettered("<CODE> after n attempt(s): …")
 * - not recoverable            → TaskFailed (the task is failed; a person may replay it) */
export type FailureFacts = [TaskEventBody<"TaskFailed">, TaskEventBody<"RetryScheduled">] | [TaskEventBody<"TaskFailed">, TaskEventBody<"TaskDeadLettered">] | [TaskEventBody<"TaskFailed">];

export function failureFacts(error: SerializedError, attempt: number, maxAttempts: number, retryDelaysSeconds: readonly number[]): FailureFacts {
  const willRetry = error.recoverable && attempt < maxAttempts;
  const failed: TaskEventBody<"TaskFailed"> = { type: "TaskFailed", error, will_retry: willRetry };
  if (willRetry) return [failed, { type: "RetryScheduled", next_attempt: attempt + 1, delay_seconds: retryDelayFor(retryDelaysSeconds, attempt) }];
  if (error.recoverable) return [failed, { type: "TaskDeadLettered", reason: `${error.code} after ${attempt} attempt(s): ${error.message}` }];
  return [failed];
}

/** Why a running task stopped, as the host names it (signals first: whoever stopped the task names
 * the failure, not the worker's echo of being stopped). */
export type StopCause = { kind: "cancel"; reason: string } | { kind: "shutdown" } | { kind: "lost_ownership" } | { kind: "failure"; error: SerializedError };

/** The facts a stop becomes. A lost owner writes nothing (the new owner's append fenced it out); a
 * shutdown records the interruption (the next owner resumes after the last completed stage); a
 * cancel ends the task; anything else is a failure. */
export type StopFact = TaskEventBody<"TaskFailed"> | TaskEventBody<"RetryScheduled"> | TaskEventBody<"TaskDeadLettered"> | TaskEventBody<"TaskCancelled"> | TaskEventBody<"TaskInterrupted">;

export function stopFacts(cause: StopCause, attempt: number, maxAttempts: number, retryDelaysSeconds: readonly number[]): readonly StopFact[] {
  switch (cause.kind) {
    case "lost_ownership":
      return [];
    case "shutdown":
      return [{ type: "TaskInterrupted", reason: "node shutting down" }];
    case "cancel":
      return [{ type: "TaskCancelled", reason: cause.reason }];
    case "failure":
      return failureFacts(cause.error, attempt, maxAttempts, retryDelaysSeconds);
  }
}

/** A task waiting for its retry: which attempt comes next and how many seconds are left before it
 * is due, judged from its last fact. A stream may lack RetryScheduled (older versions wrote it apart
 * from TaskFailed): the next attempt and its delay then follow from the configuration. An overdue
 * retry is due now (0), never re-delayed by a full delay. */
export function retryDue(
  ctx: Pick<TaskContext, "attempt" | "nextAttempt" | "retryDelaySeconds" | "lastEventAt">,
  retryDelaysSeconds: readonly number[],
  nowMs: number,
): { nextAttempt: number; dueAtMs: number; delaySeconds: number } {
  const nextAttempt = ctx.nextAttempt ?? ctx.attempt + 1;
  const delay = ctx.retryDelaySeconds ?? retryDelayFor(retryDelaysSeconds, ctx.attempt);
  const since = ctx.lastEventAt === null ? nowMs : Date.parse(ctx.lastEventAt);
  const dueAtMs = (Number.isNaN(since) ? nowMs : since) + delay * 1000;
  return { nextAttempt, dueAtMs, delaySeconds: Math.max(0, (dueAtMs - nowMs) / 1000) };
}

/** A cancel broadcast to every node, as one node sees it: stop the task when it runs here; record
 * the cancel when no node owns the task (queued, retrying, never started); leave it to the owner
 * when another node holds it (appending here would only race the owner). */
export type CancelDecision = "stop" | "record" | "owned_elsewhere" | "not_cancellable";

export function cancelDecision(o: { runningHere: boolean; exists: boolean; ownedTag: boolean; acceptsCancel: boolean }): CancelDecision {
  if (o.runningHere) return "stop";
  if (o.ownedTag) return "owned_elsewhere";
  if (!o.exists || !o.acceptsCancel) return "not_cancellable";
  return "record";
}
