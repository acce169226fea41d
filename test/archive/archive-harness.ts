import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { AppError } from "../../src/contracts/app-error.ts";

export interface Sandbox {
  top: string;
  workDir: string;
  outDir: string;
  cleanup(): Promise<void>;
}

/** A sandbox three levels below a fresh temp dir, so `../../..` escapes land where a scan sees them. */
export async function makeSandbox(): Promise<Sandbox> {
  const top = await mkdtemp(join(tmpdir(), "vs3d-archive-"));
  const base = join(top, "a", "b", "c");
  const workDir = join(base, "work");
  const outDir = join(base, "out");
  await mkdir(workDir, { recursive: true });
  await mkdir(outDir, { recursive: true });
  return { top, workDir, outDir, cleanup: () => rm(top, { recursive: true, force: true }) };
}

/** Runs `fn` in a fresh sandbox and removes it afterwards, whatever happens. */
export async function withSandbox(fn: (sb: Sandbox) => Promise<void>): Promise<void> {
  const sb = await makeSandbox();
  try {
    await fn(sb);
  } finally {
    await sb.cleanup();
  }
}

/** Every path under `dir` (files, dirs, links), relative and sorted. */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((e) => relative(dir, join(e.parentPath, e.name))).sort();
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
