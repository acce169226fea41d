import { removeTree } from "../shared/remove-tree.ts";
import { createActor, fromPromise, type Actor, type InspectionEvent } from "xstate";
import { AppError, toAppError } from "../contracts/app-error.ts";
import { taskStreamId } from "../contracts/task-events.ts";
import { ResourceProfile } from "../contracts/resource-profile.ts";
import { RESTING_STATES, TASK_EFFECTS, taskMachine, type TaskEffect, type TaskStateValue } from "../machines/task.machine.ts";
import { isSettled, stateOf } from "../machines/task-replay.ts";
import { stopFacts, type StopCause } from "../machines/when-a-stage-fails.ts";
import { CancelRequested, ShutdownRequested } from "./stop-reasons.ts";
import { TaskEffects } from "./task-effects.ts";
import { taskPaths } from "./task-paths.ts";
import type { TaskRuntime } from "./task-runtime.ts";
import { LostOwnershipError, TaskStream } from "./task-stream.ts";

export type RunOutcome = TaskStateValue | "lost_ownership" | "interrupted";

export interface RunOptions {
  /** The stream as the caller just read or wrote it (the intake's accept): not read again. */
  stream?: TaskStream;
  /** A task found waiting for its retry is handed to the retry scheduler again with the time it
   * has left (start-up in embedded mode, where retry timers died with the process). Default: false,
   * since a redelivered copy of a retried attempt must not schedule a second retry. */
  rearmRetry?: boolean;
}

/** Runs one task as an XState actor of the task machine, provided with this node's effects, from
 * wherever its stream says it is (`createActor(machine, { snapshot })` of the fold) to a settled
 * state or an armed retry. Each state's effect appends its fact, and the fact moves the actor on, so
 * a restart finds every transition in the store and re-enters the state's effect: a completed stage
 * is never run again. A failing effect is turned into facts by when-a-stage-fails.ts. */
export async function runTask(rt: TaskRuntime, taskId: string, signal: AbortSignal, options: RunOptions = {}): Promise<RunOutcome> {
  const clock = rt.clock ?? (() => new Date());
  const stream = options.stream ?? (await TaskStream.open(rt.store, taskId, clock));
  if (!stream.exists) throw new Error(`no stream for task ${taskId}`);
  if (isSettled(stream.snapshot) || (stream.state === "retrying" && !options.rearmRetry)) return stream.state;
  const log = rt.logger.child({ task_id: taskId });
  const task = stream.snapshot.context.task!;
  const def = rt.registry.get(task.task_type);
  const profile = ResourceProfile.parse(rt.profileOf?.(task.task_type) ?? def?.profile ?? { cpu_percent: 5, ram_gb: 1, max_concurrent: 1 });
  const guard = new AbortController();
  // The timeout limits the task's own run: it starts when the slot is granted, not while it queues.
  const timeout = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const effects = new TaskEffects({ rt, stream, task, def, paths: taskPaths(rt.workRoot, taskId), signal: AbortSignal.any([signal, guard.signal, timeout.signal]), guard, log });
  effects.onRunStart = () => {
    timer = setTimeout(() => timeout.abort(), profile.timeout_seconds * 1000);
    timer.unref?.();
  };
  /** Whoever stopped the task names the failure, not the worker's echo of being stopped. */
  const stopCause = (error: unknown): StopCause => {
    const reason: unknown = signal.aborted
      ? signal.reason
      : timeout.signal.aborted
        ? new AppError("TIMEOUT", `task ran longer than ${profile.timeout_seconds} s`, stream.snapshot.context.currentStage ? { stage: stream.snapshot.context.currentStage } : {})
        : guard.signal.aborted
          ? guard.signal.reason
          : error;
    if (reason instanceof LostOwnershipError) return { kind: "lost_ownership" };
    if (reason instanceof ShutdownRequested) return { kind: "shutdown" };
    if (reason instanceof CancelRequested) return { kind: "cancel", reason: reason.reason };
    return { kind: "failure", error: toAppError(reason, stream.snapshot.context.currentStage ?? undefined).toJSON() };
  };

  try {
    if (stream.snapshot.hasTag("owned")) {
      // Found mid-flight: its previous owner died or shut down. Record it, then resume.
      await stream.append(stream.event("TaskInterrupted", { reason: "resumed after the previous run stopped" }));
    }
    if (!def) {
      const outcome = await settle(stopCause(new AppError("UNSUPPORTED_TASK_TYPE", `no processor for ${task.task_type} on this node`)), null);
      // Settled without an actor (no effect could run); a retried failure still needs its retry's.
      if (stream.state !== "retrying") return outcome ?? stream.state;
    }
    return await interpret(effects, rt.inspect, settle, stopCause);
  } catch (error) {
    if (error instanceof LostOwnershipError) return lostOwnership(error);
    throw error;
  } finally {
    clearTimeout(timer);
    await effects.close();
    if (isSettled(stream.snapshot)) await removeTree(effects.paths.root);
  }

  function lostOwnership(error: unknown): RunOutcome {
    log.warn({ err: error }, "another owner appended to this task: stopping");
    return "lost_ownership";
  }

  /** Appends what a stop becomes. The facts of a cancel or a failure reach the actor (a retried
   * failure goes on to its retry's effect); a shutdown or a lost owner ends the actor first, since
   * nothing more may run here. */
  async function settle(cause: StopCause, actor: Actor<typeof taskMachine> | null): Promise<RunOutcome | null> {
    await effects.settleBackground();
    if (cause.kind === "lost_ownership") return lostOwnership(cause);
    if (cause.kind === "shutdown" || !actor) stream.onAppended = () => {};
    if (cause.kind === "shutdown") actor?.stop();
    const { attempt } = stream.snapshot.context;
    const facts = stopFacts(cause, attempt, task.retry.max_attempts, rt.retryDelaysSeconds).map((f) => stream.event(f.type, f as never));
    if (cause.kind === "shutdown") {
      if (facts.every((f) => stream.canAppend(f))) await stream.appendAll(facts);
      return "interrupted";
    }
    // The fleet's one line per failure is the task-log projection's (issue 15): this owner's note is
    // for debugging only, so a failure is neither logged twice nor at `error` when the input is at fault.
    if (cause.kind === "failure")
      log.debug(
        { code: cause.error.code, stage: cause.error.stage, recoverable: cause.error.recoverable, will_retry: facts[0]?.type === "TaskFailed" && (facts[0] as { will_retry: boolean }).will_retry },
        cause.error.message,
      );
    // The failure and what follows from it are one append: a crash cannot split them.
    await stream.appendAll(facts);
    return actor ? null : stream.state;
  }
}

type Wake = { kind: "changed" } | { kind: "failed"; error: unknown; effect: string } | { kind: "ended"; effect: string };

/** The interpreter loop: starts the actor from the folded stream and waits until it rests (a settled
 * state, or an armed retry). A failed effect is settled (facts appended and sent to the actor), and
 * the loop goes on until the actor rests. */
async function interpret(
  effects: TaskEffects,
  inspect: ((event: InspectionEvent) => void) | undefined,
  settle: (cause: StopCause, actor: Actor<typeof taskMachine>) => Promise<RunOutcome | null>,
  stopCause: (error: unknown) => StopCause,
): Promise<RunOutcome> {
  const stream = effects.stream;
  const wakes: Wake[] = [];
  let wake: (() => void) | null = null;
  const push = (w: Wake) => {
    wakes.push(w);
    wake?.();
  };
  const byName = effects.byName();
  const actors = Object.fromEntries(
    (Object.keys(byName) as TaskEffect[]).map((name) => [
      name,
      fromPromise<void>(async () => {
        effects.signal.throwIfAborted();
        await byName[name]();
      }),
    ]),
  ) as Record<TaskEffect, ReturnType<typeof fromPromise<void>>>;
  const machine = taskMachine.provide({
    actors,
    actions: {
      effectDone: ({ event }) => push({ kind: "ended", effect: effectOfEvent(event.type) }),
      effectFailed: ({ event }) => push({ kind: "failed", error: (event as { error?: unknown }).error, effect: effectOfEvent(event.type) }),
    },
  });
  const actor = createActor(machine, { snapshot: stream.snapshot, id: taskStreamId(stream.taskId), ...(inspect ? { inspect } : {}) });
  stream.onAppended = (events) => {
    for (const e of events) actor.send(e);
  };
  const sub = actor.subscribe({ next: () => push({ kind: "changed" }), error: (error) => push({ kind: "failed", error, effect: "actor" }) });
  actor.start();
  try {
    for (;;) {
      const state = stateOf(stream.snapshot);
      if (isSettled(stream.snapshot) || (RESTING_STATES as readonly string[]).includes(state)) return state;
      if (state === "retrying" && effects.retryArmed) return state;
      if (wakes.length === 0) await new Promise<void>((r) => (wake = r));
      wake = null;
      const w = wakes.shift()!;
      if (w.kind === "changed") continue;
      let error: unknown;
      if (w.kind === "ended") {
        // An effect ends by appending the fact that leaves its state (its done event then never
        // arrives); one that ends in its state is a bug, and the task would wait forever.
        if (w.effect === TASK_EFFECTS.retrying || w.effect !== TASK_EFFECTS[state as keyof typeof TASK_EFFECTS]) continue;
        error = new AppError("INTERNAL", `effect ${w.effect} ended without its fact in state ${state}`);
      } else error = w.error;
      // A retry that cannot be handed over has no fact to record: the run crashes, as a store
      // outage does (the host resumes it, or the delivery comes back).
      if (state === "retrying") throw error;
      const outcome = await settle(stopCause(error), actor);
      if (outcome !== null) return outcome;
    }
  } finally {
    sub.unsubscribe();
    stream.onAppended = () => {};
    actor.stop();
  }
}

/** `xstate.done.actor.<id>` / `xstate.error.actor.<id>` → the effect's name (its invoke id). */
function effectOfEvent(type: string): string {
  return type.slice(type.lastIndexOf(".") + 1);
}
