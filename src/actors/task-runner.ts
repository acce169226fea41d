import { mkdir, rm } from "node:fs/promises";
import { AppError, toAppError } from "../contracts/app-error.ts";
import { ResourceProfile } from "../contracts/resource-profile.ts";
import type { TaskMessage } from "../contracts/task-message.ts";
import type { TaskStateValue } from "../machines/task.machine.ts";
import { isSettled } from "../machines/task-replay.ts";
import type { OutputFile, ProcessorDefinition } from "../processors/processor.ts";
import { downloadInput, inputPathOf } from "./download-input.ts";
import { restoreStageOutputs, toOutputFiles, uploadStageOutputs } from "./stage-outputs.ts";
import { CancelRequested, ShutdownRequested } from "./stop-reasons.ts";
import { taskPaths, type TaskPaths } from "./task-paths.ts";
import type { TaskRuntime } from "./task-runtime.ts";
import { LostOwnershipError, TaskStream } from "./task-stream.ts";
import { startChildWorker } from "./worker/child-worker.ts";
import { startInlineWorker } from "./worker/inline-worker.ts";
import { watchRss } from "./worker/rss-guard.ts";
import type { Worker } from "./worker/worker.ts";

export type RunOutcome = TaskStateValue | "lost_ownership" | "interrupted";

/** Drives one task from wherever its stream says it is to a settled state (or a scheduled retry).
 * Each step is: do the work, then append the fact; a restart replays the stream and resumes after
 * the last fact, so a completed stage is never run again. */
export async function runTask(rt: TaskRuntime, taskId: string, signal: AbortSignal): Promise<RunOutcome> {
  const clock = rt.clock ?? (() => new Date());
  const stream = await TaskStream.open(rt.store, taskId, clock);
  if (!stream.exists) throw new Error(`no stream for task ${taskId}`);
  if (isSettled(stream.snapshot) || stream.state === "retrying") return stream.state;
  const log = rt.logger.child({ task_id: taskId });
  const task = stream.snapshot.context.task!;
  const paths = taskPaths(rt.workRoot, taskId);
  const def = rt.registry.get(task.task_type);
  const profile = ResourceProfile.parse(rt.profileOf?.(task.task_type) ?? def?.profile ?? { cpu_percent: 5, ram_gb: 1, max_concurrent: 1 });
  const guard = new AbortController();
  // The timeout limits the task's own run: it starts when the slot is granted, not while it queues.
  const timeout = new AbortController();
  const combined = AbortSignal.any([signal, guard.signal, timeout.signal]);
  const session = new TaskSession(rt, stream, task, def, paths, combined, guard, log);
  session.onRunStart = () => {
    const timer = setTimeout(() => timeout.abort(), profile.timeout_seconds * 1000);
    timer.unref?.();
    session.onCleanup = () => clearTimeout(timer);
  };

  try {
    if (stream.snapshot.hasTag("owned")) {
      // Found mid-flight: its previous owner died or shut down. Record it, then resume.
      await stream.append(stream.event("TaskInterrupted", { reason: "resumed after the previous run stopped" }));
    }
    if (!def) throw new AppError("UNSUPPORTED_TASK_TYPE", `no processor for ${task.task_type} on this node`);
    await session.drive();
    return stream.state;
  } catch (error) {
    // Whoever stopped the task names the failure, not the worker's echo of being stopped.
    const reason = signal.aborted
      ? signal.reason
      : timeout.signal.aborted
        ? new AppError("TIMEOUT", `task ran longer than ${profile.timeout_seconds} s`, stream.snapshot.context.currentStage ? { stage: stream.snapshot.context.currentStage } : {})
        : guard.signal.aborted
          ? guard.signal.reason
          : error;
    return await session.settleFailure(reason);
  } finally {
    await session.cleanup();
  }
}

class TaskSession {
  #worker: Worker | null = null;
  #grantHeld = false;
  #stopRss: (() => void) | null = null;
  #appends: Promise<void> = Promise.resolve();
  #uploads: Promise<void> = Promise.resolve();
  onRunStart: () => void = () => {};
  onCleanup: () => void = () => {};
  #lastProgressAt = 0;
  readonly rt: TaskRuntime;
  readonly stream: TaskStream;
  readonly task: TaskMessage;
  readonly def: ProcessorDefinition | undefined;
  readonly paths: TaskPaths;
  readonly signal: AbortSignal;
  readonly guard: AbortController;
  readonly log: TaskRuntime["logger"];

  constructor(rt: TaskRuntime, stream: TaskStream, task: TaskMessage, def: ProcessorDefinition | undefined, paths: TaskPaths, signal: AbortSignal, guard: AbortController, log: TaskRuntime["logger"]) {
    this.rt = rt;
    this.stream = stream;
    this.task = task;
    this.def = def;
    this.paths = paths;
    this.signal = signal;
    this.guard = guard;
    this.log = log;
  }

  get inputObjects() {
    const parsed = this.def?.inputObjects ? this.def.params.safeParse(this.task.params) : null;
    return parsed?.success ? (this.def!.inputObjects!(parsed.data) ?? null) : null;
  }

  get inputPath(): string {
    return inputPathOf(this.paths.input, this.task, this.inputObjects);
  }

  async drive(): Promise<void> {
    const s = this.stream;
    for (;;) {
      // A settled task stays settled: a cancel or shutdown that arrives after TaskCompleted is moot.
      if (isSettled(s.snapshot) || s.state === "retrying") return;
      this.signal.throwIfAborted();
      switch (s.state) {
        case "queued":
          await s.append(s.event("DownloadStarted", {}));
          break;
        case "downloading": {
          const size = await downloadInput(this.rt.storage, this.task, this.inputObjects, { inputDir: this.paths.input, tenantPrefix: this.rt.tenantPrefix, signal: this.signal });
          await s.append(s.event("DownloadCompleted", { size_bytes: size }));
          break;
        }
        case "waiting_for_slot": {
          await s.append(s.event("SlotRequested", {}));
          const grant = await this.rt.broker.request(
            { taskId: this.task.task_id, taskType: this.task.task_type, priority: this.task.priority, submittedAt: this.task.submitted_at, ...(this.task.source.size_bytes !== undefined ? { inputBytes: this.task.source.size_bytes } : {}) },
            this.signal,
          );
          this.#grantHeld = true;
          this.onRunStart();
          await s.append(s.event("SlotGranted", { cpu_percent: grant.cpuPercent, ram_bytes: grant.ramBytes, exclusive: grant.exclusive }));
          await this.startWorker(grant.ramBytes);
          break;
        }
        case "processing":
          await this.runRemainingStages();
          break;
        case "uploading":
          await this.finish();
          break;
        default:
          return;
      }
    }
  }

  async startWorker(ramBytes: number): Promise<void> {
    await Promise.all([mkdir(this.paths.work, { recursive: true }), mkdir(this.paths.out, { recursive: true })]);
    if (this.rt.workerMode === "inline") {
      this.#worker = startInlineWorker(this.rt.registry, this.signal, (m, f) => this.log.info(f ?? {}, m));
      return;
    }
    this.#worker = await startChildWorker({
      signal: this.signal,
      taskType: this.task.task_type,
      logger: this.log,
      extraProcessorModules: this.rt.extraProcessorModules,
      maxOldSpaceMb: Math.max(1024, (ramBytes / 2 ** 20) * 2),
    });
    const pid = this.#worker.pid;
    if (pid !== undefined && ramBytes > 0) {
      const limit = Math.max(ramBytes * (this.rt.ramGuardFactor ?? 1.5), 256 * 2 ** 20);
      this.#stopRss = watchRss(pid, limit, (rss) =>
        this.guard.abort(new AppError("RESOURCE_EXCEEDED", `worker RSS ${mb(rss)} MiB exceeds its grant of ${mb(ramBytes)} MiB`)),
      );
    }
  }

  async runRemainingStages(): Promise<void> {
    const s = this.stream;
    if (!this.#worker) await this.startWorker(0);
    const ctx = s.snapshot.context;
    await restoreStageOutputs(this.rt.storage, ctx.completed, this.paths.out, this.task.destination.bucket, this.signal);
    // What later stages read: completed stages' outputs, plus those of stages still uploading.
    const produced: Record<string, OutputFile[]> = toOutputFiles(ctx.completed);
    const remaining = ctx.stages.filter((stage) => !ctx.completed[stage.name]);
    for (const [i, stage] of remaining.entries()) {
      this.signal.throwIfAborted();
      await s.append(s.event("StageStarted", { stage: stage.name }));
      const outputs = await this.#worker!.runStage(
        {
          type: "run-stage",
          taskType: this.task.task_type,
          stage: stage.name,
          params: this.task.params,
          filePath: this.inputPath,
          workDir: this.paths.work,
          outDir: this.paths.out,
          source: this.task.source,
          previous: { ...produced },
        },
        (p) => this.reportProgress(stage.name, p.done, p.total, p.label, p.unit),
      );
      produced[stage.name] = outputs;
      // A stage's outputs upload while the next stage computes, and its StageCompleted follows its
      // upload: transfers hold no CPU slot, and a crash before the upload reruns the stage.
      this.#uploads = this.#uploads.then(() => this.completeStage(stage.name, outputs));
      // Handled at once, for every stage: a failed upload must stop this task (the guard names
      // its error), never reach the process as an unhandled rejection while the worker closes.
      this.#uploads.catch((error: unknown) => this.guard.abort(error));
      if (i < remaining.length - 1) continue;
      // The computing is done: give the slot back before the last transfers.
      this.releaseSlot();
      await this.#worker?.close();
      this.#worker = null;
      await this.#uploads;
    }
  }

  async completeStage(stage: string, outputs: OutputFile[]): Promise<void> {
    const stored = await uploadStageOutputs(this.rt.storage, outputs, {
      outDir: this.paths.out,
      bucket: this.task.destination.bucket,
      baseKey: this.task.destination.base_key,
      signal: this.signal,
    }).catch((error: unknown) => {
      // The failure belongs to the stage whose outputs did not upload, not the one computing now.
      throw error instanceof AppError ? toAppError(error, stage) : error;
    });
    await this.stream.append(this.stream.event("StageCompleted", { stage, outputs: stored }));
  }

  /** ProgressReported is throttled at the source (≤ 1 per interval); it is dropped if its stage has
   * completed by the time its turn to be appended comes. */
  reportProgress(stage: string, done: number, total: number, label: string | undefined, unit?: string): void {
    const now = Date.now();
    const final = total > 0 && done >= total;
    if (!final && now - this.#lastProgressAt < (this.rt.progressIntervalMs ?? PROGRESS_EVENT_INTERVAL_MS)) return;
    this.#lastProgressAt = now;
    const event = this.stream.event("ProgressReported", { stage, done, total, ...(label ? { label } : {}), ...(unit ? { unit } : {}) });
    this.#appends = this.stream.appendIfAccepted(event).then(
      () => {},
      (error: unknown) => this.log.warn({ err: error }, "progress append failed"),
    );
  }

  async finish(): Promise<void> {
    const s = this.stream;
    this.releaseSlot();
    await this.#worker?.close();
    this.#worker = null;
    const outputs = Object.values(s.snapshot.context.completed).flat();
    for (const o of outputs) {
      const head = await this.rt.storage.head(this.task.destination.bucket, o.key);
      if (!head) throw new AppError("STORAGE_ERROR", `uploaded output ${o.key} is missing from storage`);
    }
    await s.append(s.event("UploadCompleted", { outputs }));
    const started = Date.parse(s.snapshot.context.acceptedAt ?? new Date().toISOString());
    await s.append(s.event("TaskCompleted", { duration_seconds: Math.max(0, (Date.now() - started) / 1000) }));
    this.log.info({ outputs: outputs.length }, "task completed");
  }

  async settleFailure(reason: unknown): Promise<RunOutcome> {
    const s = this.stream;
    await this.#appends;
    // Uploads still in flight stop with the signal (or finish); their facts come before the failure.
    await this.#uploads.catch(() => {});
    if (reason instanceof LostOwnershipError) {
      this.log.warn({ err: reason }, "another owner appended to this task: stopping");
      return "lost_ownership";
    }
    try {
      if (reason instanceof ShutdownRequested) {
        const e = s.event("TaskInterrupted", { reason: "node shutting down" });
        if (s.canAppend(e)) await s.append(e);
        return "interrupted";
      }
      if (reason instanceof CancelRequested) {
        await s.append(s.event("TaskCancelled", { reason: reason.reason }));
        return s.state;
      }
      const stage = s.snapshot.context.currentStage ?? undefined;
      const error = toAppError(reason, stage);
      const { attempt } = s.snapshot.context;
      const willRetry = error.recoverable && attempt < this.task.retry.max_attempts;
      this.log.error({ code: error.code, stage: error.stage, recoverable: error.recoverable, will_retry: willRetry }, error.message);
      const failed = s.event("TaskFailed", { error: error.toJSON(), will_retry: willRetry });
      // The failure and what follows from it are one append: a crash cannot split them.
      if (willRetry) {
        const delay = retryDelayFor(this.rt.retryDelaysSeconds, attempt);
        await s.appendAll([failed, s.event("RetryScheduled", { next_attempt: attempt + 1, delay_seconds: delay })]);
        await this.rt.retry.schedule(this.task, attempt + 1, delay);
      } else if (error.recoverable) {
        await s.appendAll([failed, s.event("TaskDeadLettered", { reason: `${error.code} after ${attempt} attempt(s): ${error.message}` })]);
      } else {
        await s.append(failed);
      }
      return s.state;
    } catch (error) {
      if (error instanceof LostOwnershipError) return "lost_ownership";
      throw error;
    }
  }

  releaseSlot(): void {
    if (this.#grantHeld) this.rt.broker.release(this.task.task_id);
    this.#grantHeld = false;
  }

  async cleanup(): Promise<void> {
    this.onCleanup();
    this.#stopRss?.();
    this.releaseSlot();
    await this.#worker?.close().catch(() => {});
    if (isSettled(this.stream.snapshot)) await rm(this.paths.root, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

/** The delay before attempt n+1: the n-th configured delay, the last one past the end. */
export function retryDelayFor(delays: readonly number[], attempt: number): number {
  return delays[attempt - 1] ?? delays[delays.length - 1] ?? 30;
}

/** A little over the projection's 2 s window: the projection compares store timestamps, and events
 * exactly 2 s apart by this clock may land 1.99 s apart by the store's, halving the update rate. */
const PROGRESS_EVENT_INTERVAL_MS = 2100;
