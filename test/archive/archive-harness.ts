import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { AppError } from "../../src/contracts/app-error.ts";
import type { OutputFile, ProcessorDefinition, Progress } from "../../src/processors/processor.ts";

/** A sandbox three levels below a fresh temp dir, so `../../..` escapes land where a scan sees them. */
export async function makeSandbox(): Promise<{ top: string; workDir: string; outDir: string; cleanup: () => Promise<void> }> {
  const top = await mkdtemp(join(tmpdir(), "vs3d-archive-"));
  const base = join(top, "a", "b", "c");
  const workDir = join(base, "work");
  const outDir = join(base, "out");
  await mkdir(workDir, { recursive: true });
  await mkdir(outDir, { recursive: true });
  return { top, workDir, outDir, cleanup: () => rm(top, { recursive: true, force: true }) };
}

/** Every path under `dir` (files, dirs, links), relative and sorted. */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((e) => relative(dir, join(e.parentPath ?? e.path, e.name))).sort();
}

export interface RunResult {
  outputs: Record<string, OutputFile[]>;
  progress: Progress[];
}

/** Runs every stage of a processor the way the worker does: params parsed, outputs passed on. */
export async function runProcessor<P>(
  processor: ProcessorDefinition<P>,
  opts: { filePath: string; workDir: string; outDir: string; params: unknown; key?: string; format?: string; signal?: AbortSignal },
): Promise<RunResult> {
  const params = processor.params.parse(opts.params);
  const outputs: Record<string, OutputFile[]> = {};
  const progress: Progress[] = [];
  for (const stage of processor.stages(params)) {
    const result = await stage.run(
      {
        filePath: opts.filePath,
        workDir: opts.workDir,
        outDir: opts.outDir,
        params,
        source: { key: opts.key ?? `tenants/t/files/${opts.filePath.split("/").pop() ?? "x"}`, format: opts.format },
        previous: outputs,
      },
      { signal: opts.signal ?? new AbortController().signal, progress: (p) => progress.push(p), log: () => {} },
    );
    outputs[stage.name] = result.outputs;
  }
  return { outputs, progress };
}

/** Awaits a failure and checks it is a non-recoverable AppError with this code; returns it. */
export async function expectAppError(run: Promise<unknown>, code: string): Promise<AppError> {
  const error = await run.then(
    () => assert.fail(`expected ${code}, but it succeeded`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  assert.equal(error.recoverable, false, `${code} must not be retried`);
  return error;
}
