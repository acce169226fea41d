import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OutputFile, Progress, ProcessorDefinition } from "../../src/processors/processor.ts";

export interface StagesRun {
  outDir: string;
  workDir: string;
  outputs: Record<string, OutputFile[]>;
  progress: { stage: string; p: Progress }[];
  /** Absolute path of the first output of a type. */
  file(type: string): string;
  cleanup(): Promise<void>;
}

/** Runs a processor's stages in order, as a worker does: params through the schema, each stage
 * seeing the outputs of the earlier ones. */
export async function runStages<P>(processor: ProcessorDefinition<P>, filePath: string, rawParams: unknown, signal = new AbortController().signal): Promise<StagesRun> {
  const root = await mkdtemp(join(tmpdir(), "vs3d-geotiff-"));
  const outDir = join(root, "out");
  const workDir = join(root, "work");
  await mkdir(outDir);
  await mkdir(workDir);
  const params = processor.params.parse(rawParams);
  const outputs: Record<string, OutputFile[]> = {};
  const progress: StagesRun["progress"] = [];
  const run: StagesRun = {
    outDir,
    workDir,
    outputs,
    progress,
    file(type) {
      const found = Object.values(outputs).flat().find((o) => o.type === type);
      if (!found) throw new Error(`no output of type ${type}`);
      return join(outDir, found.path);
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  try {
    for (const stage of processor.stages(params)) {
      const result = await stage.run(
        { filePath, workDir, outDir, params, source: { key: filePath }, previous: { ...outputs } },
        { signal, progress: (p) => progress.push({ stage: stage.name, p }), log: () => {} },
      );
      outputs[stage.name] = result.outputs;
    }
  } catch (error) {
    await run.cleanup();
    throw error;
  }
  return run;
}
