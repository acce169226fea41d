import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { OutputFile, Progress, ProcessorDefinition, StageInput } from "../../src/processors/processor.ts";

export interface RunStagesOptions {
  /** Directory that gets `work/` and `out/`. Default: a fresh temp directory, removed by `cleanup()`. */
  root?: string;
  /** Overrides `<root>/work`, for a sandbox laid out by the test. */
  workDir?: string;
  /** Overrides `<root>/out`. */
  outDir?: string;
  /** What the task message said of the source. Default: `tenants/t/files/<file name>`, no format. */
  source?: Partial<StageInput<unknown>["source"]>;
  /** Default: a signal that never aborts. */
  signal?: AbortSignal;
}

export interface StagesRun {
  workDir: string;
  outDir: string;
  /** Outputs by stage name, in stage order: what a resumed task sees as `previous`. */
  outputs: Record<string, OutputFile[]>;
  /** Every output, in the order the stages wrote them. */
  allOutputs: OutputFile[];
  /** Progress reports in order, each tagged with its stage. */
  progress: Array<Progress & { stage: string }>;
  /** Absolute path of the first output (of `type`, when given). */
  file(type?: string): string;
  /** Removes the temp directory this run made; a no-op when the caller gave the directories. */
  cleanup(): Promise<void>;
}

const madeRoots: string[] = [];

/** A fresh temp directory that `cleanupRuns()` removes. */
export async function scratchDir(prefix = "vs3d-test-"): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  madeRoots.push(root);
  return root;
}

/** Removes every temp directory `runStages` and `scratchDir` made; call from an `after` hook. */
export async function cleanupRuns(): Promise<void> {
  await Promise.all(madeRoots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
}

/** Runs every stage of a processor in order, as the worker does: params through the schema first
 * (a bad one fails before anything is written), work and out directories made, each stage seeing a
 * copy of the outputs of the earlier ones. */
export async function runStages<P>(processor: ProcessorDefinition<P>, filePath: string, rawParams: unknown, options: RunStagesOptions = {}): Promise<StagesRun> {
  const params = processor.params.parse(rawParams);
  const madeRoot = options.root === undefined && (options.workDir === undefined || options.outDir === undefined) ? await scratchDir() : undefined;
  const root = options.root ?? madeRoot ?? "";
  const workDir = options.workDir ?? join(root, "work");
  const outDir = options.outDir ?? join(root, "out");
  await Promise.all([mkdir(workDir, { recursive: true }), mkdir(outDir, { recursive: true })]);
  const source = { key: `tenants/t/files/${basename(filePath)}`, ...options.source };
  const signal = options.signal ?? new AbortController().signal;
  const outputs: Record<string, OutputFile[]> = {};
  const allOutputs: OutputFile[] = [];
  const progress: StagesRun["progress"] = [];
  const cleanup = async () => {
    if (madeRoot !== undefined) await rm(madeRoot, { recursive: true, force: true });
  };
  try {
    for (const stage of processor.stages(params)) {
      const result = await stage.run({ filePath, workDir, outDir, params, source, previous: { ...outputs } }, { signal, progress: (p) => progress.push({ ...p, stage: stage.name }), log: () => {} });
      outputs[stage.name] = result.outputs;
      allOutputs.push(...result.outputs);
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
  return {
    workDir,
    outDir,
    outputs,
    allOutputs,
    progress,
    file(type) {
      const found = allOutputs.find((o) => type === undefined || o.type === type);
      if (!found) throw new Error(type === undefined ? "no output" : `no output of type ${type}`);
      return join(outDir, found.path);
    },
    cleanup,
  };
}
