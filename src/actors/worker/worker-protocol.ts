import type { SerializedError } from "../../contracts/app-error.ts";
import type { TaskType } from "../../contracts/task-types.ts";
import type { OutputFile, Progress } from "../../processors/processor.ts";

/** Messages between the task host and its worker child, over execa's IPC channel. */
export interface RunStageRequest {
  type: "run-stage";
  taskType: TaskType;
  stage: string;
  params: unknown;
  filePath: string;
  workDir: string;
  outDir: string;
  source: { key: string; format?: string | undefined; size_bytes?: number | undefined };
  previous: Record<string, OutputFile[]>;
}

export type HostToWorker = RunStageRequest | { type: "shutdown" };

export type WorkerToHost =
  | { type: "ready" }
  | ({ type: "progress"; stage: string } & Progress)
  | { type: "log"; message: string; fields?: Record<string, unknown> }
  | { type: "stage-done"; stage: string; outputs: OutputFile[] }
  | { type: "stage-failed"; stage: string; error: SerializedError };
