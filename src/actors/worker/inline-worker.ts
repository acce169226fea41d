import type { ProcessorRegistry } from "../../processors/registry.ts";
import { runStage } from "./run-stage.ts";
import type { Worker } from "./worker.ts";

/** Runs stages in this process: no crash isolation. For Deno (whose child processes do not speak
 * execa's IPC) and for debugging a processor. */
export function startInlineWorker(registry: ProcessorRegistry, signal: AbortSignal, log: (m: string, f?: Record<string, unknown>) => void): Worker {
  return {
    pid: undefined,
    runStage: (req, onProgress) => runStage(registry, req, { signal, progress: onProgress, log }),
    close: async () => {},
  };
}
