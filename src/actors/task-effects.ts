import { mkdir } from "node:fs/promises";
import { AppError, toAppError } from "../contracts/app-error.ts";
import type { TaskMessage } from "../contracts/task-message.ts";
import type { StoredOutput, TaskEvent } from "../contracts/task-events.ts";
import type { TaskEffect, TaskStateValue } from "../machines/task.machine.ts";
import { retryDue } from "../machines/when-a-stage-fails.ts";
import type { OutputFile, ProcessorDefinition } from "../processors/processor.ts";
import { downloadInput, inputPathOf } from "./download-input.ts";
import { restoreStageOutputs, toOutputFiles, uploadStageOutputs } from "./stage-outputs.ts";
import type { TaskPaths } from "./task-paths.ts";
import type { TaskRuntime } from "./task-runtime.ts";
import type { TaskStream } from "./task-stream.ts";
import { startChildWorker } from "./worker/child-worker.ts";
import { startInlineWorker } from "./worker/inline-worker.ts";
import { watchRss } from "./worker/rss-guard.ts";
import type { Worker } from "./worker/worker.ts";

/** One task's run on this node: what its effects share (the stream, the worker, the slot, the
 * uploads in flight). Each effect does its work, appends its fact through the stream and only then
 * resolves; the fact, sent to the task actor, is what starts the next state's effect. */
export class TaskEffects {
  #worker: Worker | null = null;
  /** The release of the last worker handed back (see #closeWorker). */
  #workerClosed: Promise<void> = Promise.resolve();
  #grantRamBytes = 0;
  #grantHeld = false;
  #stopRss: (() => void) | null = null;
  #appends: Promise<void> = Promise.resolve();
  #uploads: Promise<void> = Promise.resolve();
  #lastProgressAt = 0;
  /** A stage's final progress report, held back for a moment (FINAL_PROGRESS_DELAY_MS). */
  #finalReport: { stage: string; timer: ReturnType<typeof setTimeout> } | null = null;
  /** SlotRequested went out with DownloadCompleted: the slot request does not record it again. */
  #slotRequestRecorded = false;
  /** The stage whose StageStarted went out with SlotGranted: runStages does not record it again. */
  #stageStartRecorded: string | null = null;
  /** Called when the slot is granted: the task's timeout counts from there, not while it queues. */
  onRunStart: () => void = () => {};
  readonly rt: TaskRuntime;
  readonly stream: TaskStream;
  readonly task: TaskMessage;
  readonly def: ProcessorDefinition | undefined;
  readonly paths: TaskPaths;
  readonly signal: AbortSignal;
  readonly guard: AbortController;
  readonly log: TaskRuntime["logger"];
  /** Whether this run armed the task's retry (its last effect when a failure is retried). */
  retryArmed = false;
  /** When this process took the task on (accepted or resumed it): the broker's gathering window counts from here. */
  readonly #takenAt = performance.now();
  /** Takes back the broker's expectation of this task's request, for a run that ends before it asks. */
  readonly #unexpect: (() => void) | undefined;

  constructor(o: {
    rt: TaskRuntime;
    stream: TaskStream;
    task: TaskMessage;
    def: ProcessorDefinition | undefined;
    paths: TaskPaths;
    signal: AbortSignal;
    guard: AbortController;
    log: TaskRuntime["logger"];
  }) {
    this.rt = o.rt;
    this.stream = o.stream;
    this.task = o.task;
    this.def = o.def;
    this.paths = o.paths;
    this.signal = o.signal;
    this.guard = o.guard;
    this.log = o.log;
    // A task on its way to a slot: the broker gathers a burst's requests only while one is still coming.
    if (BEFORE_SLOT.has(o.stream.state)) this.#unexpect = o.rt.broker.expect?.(o.task.task_id);
  }

  /** The effect of each state that has one: the type keys it by TaskEffect, so a state added to
   * TASK_EFFECTS without its effect here fails the type check. */
  byName(): Record<TaskEffect, () => Promise<void>> {
    return {
      startDownload: () => this.stream.append(this.stream.event("DownloadStarted", {})),
      download: () => this.download(),
      requestSlot: () => this.requestSlot(),
      runStages: () => this.runStages(),
      upload: () => this.upload(),
      scheduleRetry: () => this.scheduleRetry(),
    };
  }

  get inputObjects() {
    const parsed = this.def?.inputObjects ? this.def.params.safeParse(this.task.params) : null;
    return parsed?.success ? (this.def!.inputObjects!(parsed.data) ?? null) : null;
  }

  get inputPath(): string {
    return inputPathOf(this.paths.input, this.task, this.inputObjects);
  }

  async download(): Promise<void> {
    const size = await downloadInput(this.rt.storage, this.task, this.inputObjects, {
      inputDir: this.paths.input,
      tenantPrefix: this.rt.tenantPrefix,
      signal: this.signal,
      readOnly: this.def?.inputReadOnly === true,
    });
    // The slot request always follows the download at once: both facts go in one append. Marked
    // first: the append hands the facts to the actor, which starts the next effect before it resolves.
    this.#slotRequestRecorded = true;
    await this.stream.appendAll([this.stream.event("DownloadCompleted", { size_bytes: size }), this.stream.event("SlotRequested", {})]);
  }

  async requestSlot(): Promise<void> {
    const s = this.stream;
    if (!this.#slotRequestRecorded) await s.append(s.event("SlotRequested", {}));
    this.#slotRequestRecorded = false;
    const grant = await this.rt.broker.request(
      {
        taskId: this.task.task_id,
        taskType: this.task.task_type,
        priority: this.task.priority,
        submittedAt: this.task.submitted_at,
        inProcessMs: performance.now() - this.#takenAt,
        ...(this.task.source.size_bytes !== undefined ? { inputBytes: this.task.source.size_bytes } : {}),
      },
      this.signal,
    );
    this.#grantHeld = true;
    this.#grantRamBytes = grant.ramBytes;
    this.onRunStart();
    const granted = s.event("SlotGranted", { cpu_percent: grant.cpuPercent, ram_bytes: grant.ramBytes, exclusive: grant.exclusive });
    const ctx = s.snapshot.context;
    const first = ctx.stages.find((stage) => !ctx.completed[stage.name]);
    // A fresh task's first stage starts the moment its worker is ready: the grant and the stage's
    // start are one append (each stamped when it happened). A resumed task restores its completed
    // stages' outputs first, and one with every stage done goes on to its upload.
    if (!first || Object.keys(ctx.completed).length > 0) return s.append(granted);
    await this.startWorker(grant.ramBytes);
    this.#stageStartRecorded = first.name; // before the append, which starts runStages (see download)
    await s.appendAll([granted, s.event("StageStarted", { stage: first.name })]);
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
      this.#stopRss = watchRss(pid, limit, (rss) => this.guard.abort(new AppError("RESOURCE_EXCEEDED", `worker RSS ${mb(rss)} MiB exceeds its grant of ${mb(ramBytes)} MiB`)));
    }
  }

  async runStages(): Promise<void> {
    const s = this.stream;
    if (!this.#worker) await this.startWorker(this.#grantRamBytes);
    const ctx = s.snapshot.context;
    await restoreStageOutputs(this.rt.storage, ctx.completed, this.paths.out, this.task.destination.bucket, this.signal);
    // What later stages read: completed stages' outputs, plus those of stages still uploading.
    const produced: Record<string, OutputFile[]> = toOutputFiles(ctx.completed);
    const remaining = ctx.stages.filter((stage) => !ctx.completed[stage.name]);
    for (const [i, stage] of remaining.entries()) {
      this.signal.throwIfAborted();
      if (this.#stageStartRecorded !== stage.name) await s.append(s.event("StageStarted", { stage: stage.name }));
      this.#stageStartRecorded = null;
      // StageStarted is the stage's first progress mark: the throttle counts from it.
      this.#lastProgressAt = Date.now();
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
      const last = i === remaining.length - 1;
      this.#uploads = this.#uploads.then(() => this.completeStage(stage.name, outputs, last));
      // Handled at once, for every stage: a failed upload must stop this task (the guard names
      // its error), never reach the process as an unhandled rejection while the worker closes.
      this.#uploads.catch((error: unknown) => this.guard.abort(error));
      if (!last) continue;
      // The computing is done: give the slot back before the last transfers. The last stage's
      // StageCompleted moves the task to uploading.
      this.releaseSlot();
      await this.#closeWorker();
      await this.#uploads;
    }
  }

  /** Uploads a stage's outputs, then records the stage. The last stage's outputs are the task's last
   * transfers, so its StageCompleted, UploadCompleted and TaskCompleted are one append: every output
   * was just uploaded or restored from storage by this run, which is what the upload state checks. */
  async completeStage(stage: string, outputs: OutputFile[], last = false): Promise<void> {
    const stored = await uploadStageOutputs(this.rt.storage, outputs, {
      outDir: this.paths.out,
      bucket: this.task.destination.bucket,
      baseKey: this.task.destination.base_key,
      signal: this.signal,
    }).catch((error: unknown) => {
      // The failure belongs to the stage whose outputs did not upload, not the one computing now.
      throw error instanceof AppError ? toAppError(error, stage) : error;
    });
    this.#dropFinalReport(stage); // StageCompleted says it
    const completed = this.stream.event("StageCompleted", { stage, outputs: stored });
    if (!last) return this.stream.append(completed);
    const all = [...Object.values(this.stream.snapshot.context.completed).flat(), ...stored];
    await this.stream.appendAll([completed, ...this.completionFacts(all)]);
    this.log.info({ outputs: all.length }, "task completed");
  }

  completionFacts(outputs: StoredOutput[]): [TaskEvent, TaskEvent] {
    const s = this.stream;
    const started = Date.parse(s.snapshot.context.acceptedAt ?? new Date().toISOString());
    return [s.event("UploadCompleted", { outputs }), s.event("TaskCompleted", { duration_seconds: Math.max(0, (Date.now() - started) / 1000) })];
  }

  /** ProgressReported is throttled at the source (≤ 1 per interval); it is dropped if its stage has
   * completed by the time its turn to be appended comes. A stage's final report ("N of N") waits a
   * moment first: a stage whose outputs upload meanwhile says it is done with its StageCompleted,
   * and one followed at once by the next stage is past — either way the report is not appended. */
  reportProgress(stage: string, done: number, total: number, label: string | undefined, unit?: string): void {
    const now = Date.now();
    const final = total > 0 && done >= total;
    if (!final && now - this.#lastProgressAt < (this.rt.progressIntervalMs ?? PROGRESS_EVENT_INTERVAL_MS)) return;
    this.#lastProgressAt = now;
    const event = this.stream.event("ProgressReported", { stage, done, total, ...(label ? { label } : {}), ...(unit ? { unit } : {}) });
    if (!final) return this.#appendProgress(event);
    this.#dropFinalReport();
    const timer = setTimeout(() => {
      this.#finalReport = null;
      // The next stage has started: this one's 100 % would set the bar back to it.
      if (this.stream.snapshot.context.currentStage === stage) this.#appendProgress(event);
    }, FINAL_PROGRESS_DELAY_MS);
    timer.unref?.();
    this.#finalReport = { stage, timer };
  }

  #appendProgress(event: TaskEvent): void {
    this.#appends = this.stream.appendIfAccepted(event).then(
      () => {},
      (error: unknown) => this.log.warn({ err: error }, "progress append failed"),
    );
  }

  #dropFinalReport(stage?: string): void {
    if (!this.#finalReport || (stage !== undefined && this.#finalReport.stage !== stage)) return;
    clearTimeout(this.#finalReport.timer);
    this.#finalReport = null;
  }

  async upload(): Promise<void> {
    const s = this.stream;
    // Entered on the way through when the last stage's facts completed the task in one append.
    if (s.state !== "uploading") return;
    this.releaseSlot();
    await this.#closeWorker();
    const outputs = Object.values(s.snapshot.context.completed).flat();
    for (const o of outputs) {
      const head = await this.rt.storage.head(this.task.destination.bucket, o.key);
      if (!head) throw new AppError("STORAGE_ERROR", `uploaded output ${o.key} is missing from storage`);
    }
    // One append: nothing happens between the check and the completion that a crash could split.
    await s.appendAll(this.completionFacts(outputs));
    this.log.info({ outputs: outputs.length }, "task completed");
  }

  /** Hands the next attempt to the retry scheduler with the time it has left (all of its delay when
   * the failure was just recorded; less when a restart finds the task waiting). Its fact,
   * RetryScheduled, was appended with the failure. */
  async scheduleRetry(): Promise<void> {
    const ctx = this.stream.snapshot.context;
    // The same clock that stamped the facts, so a retry just scheduled waits its whole delay.
    const due = retryDue(ctx, this.rt.retryDelaysSeconds, (this.rt.clock ?? (() => new Date()))().getTime());
    await this.rt.retry.schedule(this.task, due.nextAttempt, due.delaySeconds);
    this.retryArmed = true;
  }

  /** Facts still being appended in the background (progress, stage uploads): theirs come before
   * whatever ends the run. */
  async settleBackground(): Promise<void> {
    await this.#appends;
    await this.#uploads.catch(() => {});
  }

  releaseSlot(): void {
    if (this.#grantHeld) this.rt.broker.release(this.task.task_id);
    this.#grantHeld = false;
  }

  async close(): Promise<void> {
    this.#unexpect?.();
    this.#dropFinalReport();
    this.#stopRss?.();
    this.releaseSlot();
    await this.#closeWorker().catch(() => {});
  }

  /** Hands the worker back once, and waits for that: the last stage's facts can settle the task,
   * and so start the run's close, while runStages still waits for the same worker's release. */
  #closeWorker(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    if (worker) this.#workerClosed = worker.close();
    return this.#workerClosed;
  }
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

/** States a run starts in whose task will ask the broker for a slot before anything else. */
const BEFORE_SLOT = new Set<TaskStateValue>(["queued", "downloading", "waiting_for_slot"]);

/** A little over the projection's 2 s window: the projection compares store timestamps, and events
 * exactly 2 s apart by this clock may land 1.99 s apart by the store's, halving the update rate. */
const PROGRESS_EVENT_INTERVAL_MS = 2100;

/** Longer than a small output's upload, even queued behind a burst's other transfers and appends
 * (250 ms was not, for 20 thumbnails on 2 cores: 52 of 68 reports went out), short enough that a
 * stage whose outputs take long to upload shows 100 % while they do. */
const FINAL_PROGRESS_DELAY_MS = 1000;
