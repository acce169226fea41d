import { execaNode } from "execa";
import { fileURLToPath } from "node:url";
import { AppError, toAppError } from "../../contracts/app-error.ts";
import type { Logger } from "../../infra/logger.ts";
import { inheritedImports } from "./inherited-imports.ts";
import type { TaskType } from "../../contracts/task-types.ts";
import type { OutputFile, Progress } from "../../processors/processor.ts";
import type { Worker } from "./worker.ts";
import type { RunStageRequest, WorkerToHost } from "./worker-protocol.ts";

const WORKER_ENTRY = fileURLToPath(new URL("./worker-entry.ts", import.meta.url));
const STDERR_TAIL_BYTES = 4096;

export interface ChildWorkerOptions {
  signal: AbortSignal;
  logger: Logger;
  /** PROCESSOR_MODULES for the child, so it sees the same processors as the host. */
  extraProcessorModules: readonly string[];
  /** The task type it will run: the child loads only that processor. */
  taskType?: TaskType;
  /** V8 heap cap for the child in MiB, from the RAM grant. Default: Node's own. */
  maxOldSpaceMb?: number;
}

interface Pending {
  stage: string;
  onProgress: (p: Progress) => void;
  resolve: (outputs: OutputFile[]) => void;
  reject: (error: unknown) => void;
}

/** One child process per task (execa 9 with IPC): a crash or OOM there fails only this task. */
export async function startChildWorker(options: ChildWorkerOptions): Promise<Worker> {
  // No loader of its own: Node 24 runs worker-entry.ts as it is. It loads the host's `--import`
  // preloads, if any (a developer's tsx on an older Node, a test's guard).
  const nodeOptions = inheritedImports();
  if (options.maxOldSpaceMb) nodeOptions.push(`--max-old-space-size=${Math.max(256, Math.floor(options.maxOldSpaceMb))}`);
  const child = execaNode(WORKER_ENTRY, [], {
    ipc: true,
    nodeOptions,
    cancelSignal: options.signal,
    forceKillAfterDelay: 3000,
    reject: false,
    buffer: false,
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
    env: { PROCESSOR_MODULES: options.extraProcessorModules.join(","), ...(options.taskType ? { VS3D_WORKER_TASK_TYPE: options.taskType } : {}) },
  });
  let stderrTail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString("utf8")).slice(-STDERR_TAIL_BYTES);
  });

  // A holder, not a `let`: the IPC loop and the exit handler both settle the current stage.
  const slot: { pending: Pending | null } = { pending: null };
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));

  const exited = child.then((result) => {
    const why = result.signal ? `signal ${result.signal}` : `exit code ${String(result.exitCode)}`;
    const oom = /heap out of memory|ENOMEM|Allocation failed/i.test(stderrTail);
    const error = options.signal.aborted
      ? toAppError(options.signal.reason)
      : new AppError(oom ? "RESOURCE_EXCEEDED" : "PROCESSOR_CRASHED", `worker process ended (${why})${oom ? ": out of memory" : ""}${tail(stderrTail)}`, {
          ...(slot.pending ? { stage: slot.pending.stage } : {}),
        });
    slot.pending?.reject(error);
    slot.pending = null;
    ready();
    return error;
  });

  const handle = (msg: WorkerToHost) => {
    if (msg.type === "ready") ready();
    else if (msg.type === "log") options.logger.info(msg.fields ?? {}, msg.message);
    else if (msg.type === "progress") slot.pending?.onProgress({ done: msg.done, total: msg.total, ...(msg.label ? { label: msg.label } : {}) });
    else if (msg.type === "stage-done" && slot.pending?.stage === msg.stage) {
      slot.pending.resolve(msg.outputs);
      slot.pending = null;
    } else if (msg.type === "stage-failed" && slot.pending?.stage === msg.stage) {
      slot.pending.reject(toAppError(msg.error, msg.stage));
      slot.pending = null;
    }
  };
  // The host can no longer follow this worker (a progress sink that throws, a broken channel): the
  // stage fails with that cause at once and the child is ended, instead of the cause vanishing and
  // the stage failing later as a crash of a child whose channel was closed under it.
  const unheard = (error: unknown) => {
    options.logger.error({ err: error }, "worker messages could not be handled");
    const cause = error instanceof Error ? error.message : String(error);
    slot.pending?.reject(new AppError("PROCESSOR_CRASHED", `worker messages could not be handled: ${cause}`, { stage: slot.pending.stage }));
    slot.pending = null;
    child.kill();
  };
  void (async () => {
    for await (const raw of child.getEachMessage()) {
      try {
        handle(raw as unknown as WorkerToHost);
      } catch (error) {
        unheard(error);
      }
    }
  })().catch(unheard);

  await isReady;
  return {
    pid: child.pid,
    async runStage(req: RunStageRequest, onProgress: (p: Progress) => void): Promise<OutputFile[]> {
      if (child.exitCode !== null || child.signalCode !== null) throw await exited;
      return new Promise<OutputFile[]>((resolve, reject) => {
        slot.pending = { stage: req.stage, onProgress, resolve, reject };
        child.sendMessage(req as never).catch((error: unknown) => {
          slot.pending = null;
          reject(new AppError("PROCESSOR_CRASHED", `worker unreachable: ${String(error)}`, { stage: req.stage }));
        });
      });
    },
    async close(): Promise<void> {
      if (child.exitCode === null && child.signalCode === null) {
        await child.sendMessage({ type: "shutdown" } as never).catch(() => {});
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await child;
        clearTimeout(timer);
      }
    },
  };
}

function tail(text: string): string {
  const lines = text.trim().split("\n").slice(-3).join(" | ");
  return lines ? ` — ${lines.slice(0, 500)}` : "";
}
