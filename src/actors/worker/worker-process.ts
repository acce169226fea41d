import { execaNode } from "execa";
import { fileURLToPath } from "node:url";
import { AppError, toAppError } from "../../contracts/app-error.ts";
import type { Logger } from "../../infra/logger.ts";
import type { TaskType } from "../../contracts/task-types.ts";
import type { OutputFile, Progress } from "../../processors/processor.ts";
import { inheritedImports } from "./inherited-imports.ts";
import type { RunStageRequest, WorkerToHost } from "./worker-protocol.ts";

const WORKER_ENTRY = fileURLToPath(new URL("./worker-entry.ts", import.meta.url));
const STDERR_TAIL_BYTES = 4096;

/** What a worker process is started for; processes of one key are interchangeable. */
export interface WorkerKey {
  /** The task type it runs: the child loads only that processor. */
  taskType?: TaskType;
  /** PROCESSOR_MODULES for the child, so it sees the same processors as the host. */
  extraProcessorModules: readonly string[];
  /** V8 heap cap for the child in MiB, from the RAM grant. Default: Node's own. */
  maxOldSpaceMb?: number;
}

/** The task a process serves now: its cancel signal and its logger. */
export interface WorkerBinding {
  signal: AbortSignal;
  logger: Logger;
}

/** One child process (execa 9 with IPC) that runs the stages of one task at a time: a crash or
 * OOM there fails only the task it serves. Started before it has a task when it is kept warm. */
export interface WorkerProcess {
  readonly pid: number | undefined;
  readonly key: string;
  /** Tasks it has been bound to so far. */
  readonly tasks: number;
  /** False once it has failed a stage, been cancelled, or exited: it must not serve another task. */
  readonly reusable: boolean;
  bind(binding: WorkerBinding): void;
  /** The task is over: the process stops listening to its signal and holds the host open no longer. */
  unbind(): void;
  runStage(req: RunStageRequest, onProgress: (p: Progress) => void): Promise<OutputFile[]>;
  /** Asks the child to exit, and kills it if it has not within 3 s. */
  retire(): Promise<void>;
}

interface Pending {
  stage: string;
  onProgress: (p: Progress) => void;
  resolve: (outputs: OutputFile[]) => void;
  reject: (error: unknown) => void;
}

export const keyOf = (k: WorkerKey): string => JSON.stringify([k.taskType ?? "", k.extraProcessorModules, k.maxOldSpaceMb ? Math.floor(k.maxOldSpaceMb) : 0]);

/** Starts a worker process and resolves once it has loaded its processor (it says "ready"). */
export async function spawnWorkerProcess(k: WorkerKey): Promise<WorkerProcess> {
  // No loader of its own: Node 24 runs worker-entry.ts as it is. It loads the host's `--import`
  // preloads, if any (a developer's tsx on an older Node, a test's guard).
  const nodeOptions = inheritedImports();
  if (k.maxOldSpaceMb) nodeOptions.push(`--max-old-space-size=${Math.max(256, Math.floor(k.maxOldSpaceMb))}`);
  const child = execaNode(WORKER_ENTRY, [], {
    ipc: true,
    nodeOptions,
    forceKillAfterDelay: 3000,
    reject: false,
    buffer: false,
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
    env: { PROCESSOR_MODULES: k.extraProcessorModules.join(","), ...(k.taskType ? { VS3D_WORKER_TASK_TYPE: k.taskType } : {}) },
  });
  let stderrTail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString("utf8")).slice(-STDERR_TAIL_BYTES);
  });

  // Holders, not `let`s: the IPC loop, the exit handler and the binding all touch them.
  const state: { pending: Pending | null; binding: WorkerBinding | null; reusable: boolean; tasks: number; detach: () => void } = {
    pending: null,
    binding: null,
    reusable: true,
    tasks: 0,
    detach: () => {},
  };
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));

  const exited = child.then((result) => {
    state.reusable = false;
    const why = result.signal ? `signal ${result.signal}` : `exit code ${String(result.exitCode)}`;
    const oom = /heap out of memory|ENOMEM|Allocation failed/i.test(stderrTail);
    const signal = state.binding?.signal;
    const error = signal?.aborted
      ? toAppError(signal.reason)
      : new AppError(oom ? "RESOURCE_EXCEEDED" : "PROCESSOR_CRASHED", `worker process ended (${why})${oom ? ": out of memory" : ""}${tail(stderrTail)}`, {
          ...(state.pending ? { stage: state.pending.stage } : {}),
        });
    state.pending?.reject(error);
    state.pending = null;
    ready();
    return error;
  });

  const handle = (msg: WorkerToHost) => {
    if (msg.type === "ready") ready();
    else if (msg.type === "log") state.binding?.logger.info(msg.fields ?? {}, msg.message);
    else if (msg.type === "progress") state.pending?.onProgress({ done: msg.done, total: msg.total, ...(msg.label ? { label: msg.label } : {}) });
    else if (msg.type === "stage-done" && state.pending?.stage === msg.stage) {
      state.pending.resolve(msg.outputs);
      state.pending = null;
    } else if (msg.type === "stage-failed" && state.pending?.stage === msg.stage) {
      state.reusable = false;
      // A cancel's SIGTERM makes the stage fail with "worker terminated": the cancel is the reason.
      const signal = state.binding?.signal;
      state.pending.reject(signal?.aborted ? toAppError(signal.reason) : toAppError(msg.error, msg.stage));
      state.pending = null;
    }
  };
  // The host can no longer follow this worker (a progress sink that throws, a broken channel): the
  // stage fails with that cause at once and the process is ended, instead of the cause vanishing and
  // the stage failing later as a crash of a child whose channel was closed under it.
  const unheard = (error: unknown) => {
    state.binding?.logger.error({ err: error }, "worker messages could not be handled");
    state.reusable = false;
    const cause = error instanceof Error ? error.message : String(error);
    state.pending?.reject(new AppError("PROCESSOR_CRASHED", `worker messages could not be handled: ${cause}`, { stage: state.pending.stage }));
    state.pending = null;
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

  const alive = () => child.exitCode === null && child.signalCode === null;
  // An idle warm process must not keep the host running; it exits when the host's channel closes.
  // Its stderr pipe is a socket of its own that would hold the host too.
  const hold = (on: boolean) => {
    const channel = (child as unknown as { channel?: { ref(): void; unref(): void } }).channel;
    const stderr = child.stderr as unknown as { ref?(): void; unref?(): void } | null;
    for (const handle of [child, channel, stderr]) {
      if (on) handle?.ref?.();
      else handle?.unref?.();
    }
  };
  // Held while it starts: a host with nothing else to do still waits for the worker it asked for.
  await isReady;
  hold(false);
  return {
    pid: child.pid,
    key: keyOf(k),
    get tasks() {
      return state.tasks;
    },
    get reusable() {
      return state.reusable && alive();
    },
    bind(binding) {
      state.binding = binding;
      state.tasks++;
      hold(true);
      const onAbort = () => {
        state.reusable = false;
        child.kill("SIGTERM");
      };
      if (binding.signal.aborted) onAbort();
      else binding.signal.addEventListener("abort", onAbort, { once: true });
      state.detach = () => binding.signal.removeEventListener("abort", onAbort);
    },
    unbind() {
      state.detach();
      state.binding = null;
      hold(false);
    },
    async runStage(req, onProgress) {
      if (!alive()) throw await exited;
      return new Promise<OutputFile[]>((resolve, reject) => {
        state.pending = { stage: req.stage, onProgress, resolve, reject };
        const unreachable = (error: unknown) => {
          state.pending = null;
          state.reusable = false;
          reject(new AppError("PROCESSOR_CRASHED", `worker unreachable: ${String(error)}${tail(stderrTail)}`, { stage: req.stage }));
        };
        // execa throws at once, not through the promise, when the channel is already gone.
        try {
          child.sendMessage(req as never).catch(unreachable);
        } catch (error) {
          unreachable(error);
        }
      });
    },
    async retire() {
      state.reusable = false;
      if (alive()) {
        hold(true);
        await Promise.resolve()
          .then(() => child.sendMessage({ type: "shutdown" }))
          .catch(() => child.kill("SIGTERM"));
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
