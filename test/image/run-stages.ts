import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OutputFile, ProcessorDefinition, Progress } from "../../src/processors/processor.ts";

export interface StageRun {
  outDir: string;
  workDir: string;
  outputs: OutputFile[];
  /** Progress reports in order, each tagged with its stage. */
  progress: Array<Progress & { stage: string }>;
  /** Absolute path of the n-th output. */
  file(n?: number): string;
}

const roots: string[] = [];

/** Runs every stage of a processor in order, as the worker would, in `root` (default: a fresh temp
 * directory) with `work/` and `out/` below it. */
export async function runStages<P>(def: ProcessorDefinition<P>, rawParams: unknown, filePath: string, root?: string): Promise<StageRun> {
  const params = def.params.parse(rawParams);
  root ??= await scratchDir();
  const workDir = join(root, "work");
  const outDir = join(root, "out");
  const outputs: OutputFile[] = [];
  const progress: StageRun["progress"] = [];
  const previous: Record<string, OutputFile[]> = {};
  for (const stage of def.stages(params)) {
    const result = await stage.run(
      { filePath, workDir, outDir, params, source: { key: `files/${filePath.split("/").pop() ?? "input"}` }, previous },
      { signal: new AbortController().signal, progress: (p) => progress.push({ ...p, stage: stage.name }), log: () => {} },
    );
    previous[stage.name] = result.outputs;
    outputs.push(...result.outputs);
  }
  return {
    outDir,
    workDir,
    outputs,
    progress,
    file: (n = 0) => {
      const output = outputs[n];
      if (!output) throw new Error(`no output #${n}`);
      return join(outDir, output.path);
    },
  };
}

/** Removes every temp directory runStages made; call from an `after` hook. */
export async function cleanupRuns(): Promise<void> {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
}

export async function scratchDir(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "vs3d-image-"));
  roots.push(root);
  return root;
}
