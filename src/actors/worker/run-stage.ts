import { AppError, toAppError } from "../../contracts/app-error.ts";
import type { OutputFile, Progress } from "../../processors/processor.ts";
import type { ProcessorRegistry } from "../../processors/registry.ts";
import type { RunStageRequest } from "./worker-protocol.ts";

export interface StageCallbacks {
  signal: AbortSignal;
  progress: (p: Progress) => void;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/** Runs one named stage of a processor. Shared by the child entry and the inline mode, so both
 * validate params and name stages the same way. */
export async function runStage(registry: ProcessorRegistry, req: RunStageRequest, cb: StageCallbacks): Promise<OutputFile[]> {
  const def = registry.get(req.taskType);
  if (!def) throw new AppError("UNSUPPORTED_TASK_TYPE", `no processor for ${req.taskType}`);
  const parsed = def.params.safeParse(req.params);
  if (!parsed.success) throw new AppError("INVALID_PARAMS", parsed.error.message, { stage: req.stage });
  const stage = def.stages(parsed.data).find((s) => s.name === req.stage);
  if (!stage) throw new AppError("INTERNAL", `processor ${req.taskType} has no stage ${req.stage}`, { stage: req.stage });
  try {
    const { outputs } = await stage.run({ filePath: req.filePath, workDir: req.workDir, outDir: req.outDir, params: parsed.data, source: req.source, previous: req.previous }, cb);
    return outputs;
  } catch (error) {
    if (cb.signal.aborted) throw toAppError(cb.signal.reason ?? error, req.stage);
    throw toAppError(error, req.stage);
  }
}
