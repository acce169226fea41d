import { TASK_STREAM_PREFIX, taskIdOfStream } from "../contracts/task-events.ts";
import type { TaskMessage } from "../contracts/task-message.ts";
import type { Logger } from "../infra/logger.ts";
import type { ObjectStorage } from "../ports/storage.port.ts";
import type { SlotBroker } from "../ports/slot-broker.port.ts";
import { isSettled } from "../machines/task-replay.ts";
import type { TaskStateValue } from "../machines/task.machine.ts";
import { cancelDecision } from "../machines/when-a-stage-fails.ts";
import { acceptTask, type AcceptOutcome, type AcceptOptions } from "./accept-task.ts";
import { readTask, type TaskRead } from "./read-task.ts";
import { CancelRequested, ShutdownRequested } from "./stop-reasons.ts";
import { runTask, type RunOptions, type RunOutcome } from "./task-runner.ts";
import type { TaskRuntime } from "./task-runtime.ts";
import { TaskStream } from "./task-stream.ts";

interface Running {
  controller: AbortController;
  done: Promise<RunOutcome>;
  stream: TaskStream | undefined;
}

/** What submitting a message did, and the task's run. */
export interface Submitted {
  outcome: AcceptOutcome;
  state: TaskStateValue;
  done: Promise<RunOutcome>;
  /** The task as this node last folded it (after `done`: as the run left it), without a read. */
  task(): TaskRead;
}

/** Hosts the task actors of this node: accepts messages, runs each task once at a time, cancels,
 * resumes unfinished tasks at start-up and interrupts them all on shutdown. */
/** Resumes of one task after crashes, at most (with doubling delays: several minutes in all). */
const MAX_RESUMES_AFTER_CRASH = 10;

export interface TaskHostOptions {
  /** When a run crashes (its store stayed away past the append retries), start it again from its
   * stream after this long, doubling per crash up to 60 s. Embedded mode only: with RabbitMQ the
   * unacked delivery comes back instead. Default: off. */
  resumeAfterCrashMs?: number;
}

export class TaskHost {
  /** The ports the runs use: not reachable from outside, readers go through read(). */
  readonly #rt: TaskRuntime;
  #running = new Map<string, Running>();
  #stopping = false;
  #resumeAfterCrashMs: number | undefined;
  #crashes = new Map<string, number>();

  constructor(rt: TaskRuntime, options: TaskHostOptions = {}) {
    this.#rt = rt;
    this.#resumeAfterCrashMs = options.resumeAfterCrashMs;
  }

  get logger(): Logger {
    return this.#rt.logger;
  }
  get storage(): ObjectStorage {
    return this.#rt.storage;
  }
  get broker(): SlotBroker {
    return this.#rt.broker;
  }

  /** The task as its stream says it is now, or null (readTask on this host's store). */
  read(taskId: string): Promise<TaskRead | null> {
    return readTask(this.#rt.store, taskId);
  }

  /** Accepts a task message and starts it unless it is settled or a duplicate already running. The
   * stream read for the accept is the one the run starts from: one read per message. */
  async submit(task: TaskMessage, causationId?: string, options: AcceptOptions = {}): Promise<Submitted> {
    const accepted = await acceptTask(this.#rt, task, causationId, options);
    const { stream, outcome } = accepted;
    const done = isSettled(stream.snapshot) ? Promise.resolve<RunOutcome>(stream.state) : this.start(task.task_id, { stream });
    const running = this.#running.get(task.task_id)?.stream ?? stream;
    return { outcome, state: stream.state, done, task: () => running.read! };
  }

  /** Runs a task from its stream; a second call while it runs returns the same promise. */
  start(taskId: string, options: RunOptions = {}): Promise<RunOutcome> {
    const existing = this.#running.get(taskId);
    if (existing) return existing.done;
    if (this.#stopping) return Promise.resolve("interrupted");
    const controller = new AbortController();
    const done = runTask(this.#rt, taskId, controller.signal, options)
      .then((outcome) => {
        this.#crashes.delete(taskId);
        return outcome;
      })
      .catch((error: unknown) => {
        this.#rt.logger.error({ task_id: taskId, err: error }, "task runner crashed");
        this.#resumeLater(taskId);
        return "interrupted" as const;
      })
      .finally(() => this.#running.delete(taskId));
    this.#running.set(taskId, { controller, done, stream: options.stream });
    return done;
  }

  #resumeLater(taskId: string): void {
    if (this.#resumeAfterCrashMs === undefined || this.#stopping) return;
    const crashes = (this.#crashes.get(taskId) ?? 0) + 1;
    this.#crashes.set(taskId, crashes);
    // A run that crashes again and again is not waiting for a store: a restart will pick it up.
    if (crashes > MAX_RESUMES_AFTER_CRASH) return void this.#rt.logger.error({ task_id: taskId, crashes }, "task keeps crashing: not resumed again until a restart");
    const delay = Math.min(60_000, this.#resumeAfterCrashMs * 2 ** (crashes - 1));
    this.#rt.logger.warn({ task_id: taskId, resume_in_ms: delay }, "resuming the task from its stream later");
    setTimeout(() => {
      if (!this.#stopping && !this.#running.has(taskId)) void this.start(taskId);
    }, delay).unref?.();
  }

  isRunning(taskId: string): boolean {
    return this.#running.has(taskId);
  }

  get runningCount(): number {
    return this.#running.size;
  }

  /** Cancels a task wherever it is; false when it is unknown or already settled. */
  async cancel(taskId: string, reason = "requested"): Promise<boolean> {
    const running = this.#running.get(taskId);
    if (running) {
      running.controller.abort(new CancelRequested(reason));
      // True only if the cancel took: a task that completed meanwhile stays completed.
      return (await running.done) === "cancelled";
    }
    const stream = await TaskStream.open(this.#rt.store, taskId, this.#rt.clock);
    const event = stream.event("TaskCancelled", { reason });
    if (!stream.exists || !stream.canAppend(event)) return false;
    await stream.append(event);
    return true;
  }

  /** For a cancel broadcast to every node: stop the task if it runs here; record the cancel if no
   * node owns it (queued, retrying, or never started); otherwise its owner will act on the same
   * broadcast, and appending here would only race it. */
  async cancelIfOwnedHere(taskId: string, reason: string): Promise<"stopped" | "recorded" | "owned_elsewhere" | "not_cancellable"> {
    if (this.#running.has(taskId)) {
      await this.cancel(taskId, reason);
      return "stopped";
    }
    const stream = await TaskStream.open(this.#rt.store, taskId, this.#rt.clock);
    const event = stream.event("TaskCancelled", { reason });
    const decision = cancelDecision({ runningHere: false, exists: stream.exists, ownedTag: stream.snapshot.hasTag("owned"), acceptsCancel: stream.canAppend(event) });
    if (decision !== "record") return decision === "stop" ? "stopped" : decision;
    await stream.append(event);
    return "recorded";
  }

  /** At start-up: every task whose stream is not settled runs again from its last fact; a task
   * waiting for a retry re-enters its retry's effect, which hands it to the retry scheduler with the
   * time it has left. */
  async resumeUnfinished(): Promise<{ resumed: string[]; retrying: string[] }> {
    const resumed: string[] = [];
    const retrying: string[] = [];
    for (const streamId of await this.#rt.store.listStreams(TASK_STREAM_PREFIX)) {
      const taskId = taskIdOfStream(streamId);
      const stream = await TaskStream.open(this.#rt.store, taskId, this.#rt.clock);
      if (isSettled(stream.snapshot) || stream.state === "new") continue;
      const waitsForRetry = stream.state === "retrying";
      const done = this.start(taskId, { stream, rearmRetry: true });
      // The retry is armed before start-up goes on: a resubmit must find it scheduled.
      if (waitsForRetry) {
        await done;
        retrying.push(taskId);
      } else resumed.push(taskId);
    }
    return { resumed, retrying };
  }

  /** Interrupts every running task (each appends TaskInterrupted) and waits up to `graceMs`. */
  async shutdown(graceMs: number): Promise<void> {
    this.#stopping = true;
    const all = [...this.#running.values()];
    for (const r of all) r.controller.abort(new ShutdownRequested());
    await Promise.race([Promise.allSettled(all.map((r) => r.done)), new Promise((r) => setTimeout(r, graceMs).unref?.())]);
  }
}
