import type { OutputFile, Progress } from "../../processors/processor.ts";
import type { RunStageRequest } from "./worker-protocol.ts";

/** Where a task's stages run: a child process (the default) or this process (Deno smoke, debugging). */
export interface Worker {
  readonly pid: number | undefined;
  runStage(req: RunStageRequest, onProgress: (p: Progress) => void): Promise<OutputFile[]>;
  close(): Promise<void>;
}
