import type { Logger } from "../../infra/logger.ts";
import type { HeldRamAccount } from "../../ports/held-ram.port.ts";
import type { TaskType } from "../../contracts/task-types.ts";
import type { Worker } from "./worker.ts";
import { createWarmPool, warmPoolOptionsFromEnv } from "./warm-pool.ts";
import { spawnWorkerProcess } from "./worker-process.ts";

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

// One pool for the host process, whatever starts tasks in it: its cap comes from the environment
// (VS3D_WARM_WORKERS; 0 keeps one fresh process per task). Until a broker is attached, the cap and
// the grants alone bound it (a test's FIFO broker accounts for no RAM).
const pool = createWarmPool(spawnWorkerProcess, warmPoolOptionsFromEnv(process.env));

/** Idle warm workers hold their RAM in this account (the node's resource broker) and retire when it
 * asks. The function returned detaches and retires the idle workers: a service calls it at close. */
export function attachWarmWorkers(account: HeldRamAccount): () => Promise<void> {
  return pool.attach(account);
}

/** Retires every idle warm worker (a service's close, when no broker of its own was attached). */
export function drainWarmWorkers(): Promise<void> {
  return pool.drain();
}

/** A child process for one task: a crash or OOM there fails only this task. Taken warm from the
 * pool when one of its kind is idle, else started now; `close()` hands it back or retires it. */
export async function startChildWorker(options: ChildWorkerOptions): Promise<Worker> {
  const key = {
    extraProcessorModules: options.extraProcessorModules,
    ...(options.taskType ? { taskType: options.taskType } : {}),
    ...(options.maxOldSpaceMb ? { maxOldSpaceMb: options.maxOldSpaceMb } : {}),
  };
  const proc = await pool.take(key);
  proc.bind({ signal: options.signal, logger: options.logger });
  return {
    pid: proc.pid,
    runStage: (req, onProgress) => proc.runStage(req, onProgress),
    close: () => pool.release(proc),
  };
}
