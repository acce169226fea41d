import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { silentLogger } from "../../src/infra/logger.ts";
import { createWarmPool, WARM_POOL_DEFAULTS, type WarmPoolOptions } from "../../src/actors/worker/warm-pool.ts";
import { spawnWorkerProcess, type WorkerProcess } from "../../src/actors/worker/worker-process.ts";
import type { RunStageRequest } from "../../src/actors/worker/worker-protocol.ts";
import { REPO_ROOT } from "../helpers/fixtures.ts";

// Real worker processes on the test processors: `image_convert` is N slow stages that can crash.
const KEY = { taskType: "image_convert" as const, extraProcessorModules: [join(REPO_ROOT, "test", "fixtures", "test-processors.ts")] };
const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function stage(params: Record<string, unknown>): Promise<RunStageRequest> {
  const dir = await mkdtemp(join(tmpdir(), "vs3d-warm-"));
  dirs.push(dir);
  return {
    type: "run-stage",
    taskType: "image_convert",
    stage: "step_1",
    params: { stages: 1, stage_ms: 0, ...params },
    filePath: join(dir, "in"),
    workDir: dir,
    outDir: dir,
    source: { key: "in" },
    previous: {},
  };
}

/** One task on a process from the pool: bind, run its stage, release. */
async function runTask(pool: ReturnType<typeof createWarmPool>, params: Record<string, unknown> = {}, signal = new AbortController().signal) {
  const proc = await pool.take(KEY);
  proc.bind({ signal, logger: silentLogger() });
  const result = await proc
    .runStage(await stage(params), () => {})
    .then(
      () => "done",
      (e: unknown) => e,
    );
  await pool.release(proc);
  return { proc, result };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 300 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(ok(), "in time");
};

function poolOf(options: Partial<WarmPoolOptions>) {
  return createWarmPool(spawnWorkerProcess, { ...WARM_POOL_DEFAULTS, ...options });
}

test("warm workers: a process started ahead serves the next task at once; a sound one is reused, up to maxTasks", { timeout: 120_000 }, async () => {
  const pool = poolOf({ maxIdle: 2, maxTasks: 2 });
  try {
    const first = await runTask(pool);
    assert.equal(first.result, "done");
    await until(() => pool.idleCount === 2); // the one started ahead, and the first one back
    const t0 = performance.now();
    const second = await runTask(pool);
    assert.ok(performance.now() - t0 < 1000, `a warm process runs its stage without starting (${(performance.now() - t0).toFixed(0)} ms)`);
    const third = await runTask(pool);
    const pids = [first.proc.pid, second.proc.pid, third.proc.pid];
    assert.ok(new Set(pids).size < 3, `a process served more than one task: ${pids.join(", ")}`);
    const used = [first.proc, second.proc, third.proc];
    for (const p of used) assert.ok(p.tasks <= 2, "no process serves more than maxTasks");
    assert.ok(
      used.filter((p) => p.tasks === 2).every((p) => !p.reusable || pool.idleCount <= 2),
      "after maxTasks it is retired, not parked",
    );
  } finally {
    await pool.drain();
  }
});

test("warm workers: a process released twice (a task closing it from two paths at once) is parked once and serves the next task", { timeout: 120_000 }, async () => {
  const pool = poolOf({ maxIdle: 2 });
  try {
    const proc = await pool.take(KEY);
    proc.bind({ signal: new AbortController().signal, logger: silentLogger() });
    assert.equal(await proc.runStage(await stage({}), () => {}).then(() => "done"), "done");
    await until(() => pool.idleCount === 1); // the spare started ahead at the take, parked first
    await Promise.all([pool.release(proc), pool.release(proc)]);
    assert.ok(proc.reusable, "the second release did not retire what the first had parked");
    assert.equal(pool.idleCount, 2);
    const next = await pool.take(KEY);
    assert.equal(next.pid, proc.pid, "the most recently parked is taken first");
    await pool.release(next);
  } finally {
    await pool.drain();
  }
});

test("warm workers: a failed stage, a crash or a cancel retires the process; the crash fails only its task", { timeout: 120_000 }, async () => {
  const pool = poolOf({ maxIdle: 2 });
  try {
    const failed = await runTask(pool, { crash_in: "step_1", crash_how: "throw" });
    assert.match(String(failed.result), /processor bug/);
    assert.equal(failed.proc.reusable, false);

    const crashed = await runTask(pool, { crash_in: "step_1", crash_how: "exit" });
    assert.equal((crashed.result as { code?: string }).code, "PROCESSOR_CRASHED");
    assert.equal(crashed.proc.reusable, false);

    const cancel = new AbortController();
    setTimeout(() => cancel.abort(new Error("cancelled by the test")), 300);
    const cancelled = await runTask(pool, { stage_ms: 20_000 }, cancel.signal);
    assert.match(String(cancelled.result), /cancelled by the test/);
    assert.equal(cancelled.proc.reusable, false);

    const next = await runTask(pool);
    assert.equal(next.result, "done", "the next task runs as usual");
    assert.ok(![failed.proc.pid, crashed.proc.pid, cancelled.proc.pid].includes(next.proc.pid), "on a process that never failed");
  } finally {
    await pool.drain();
  }
});

test("warm workers off (maxIdle 0, VS3D_WARM_WORKERS=0): every task gets a fresh process that exits with it", { timeout: 60_000 }, async () => {
  const pool = poolOf({ maxIdle: 0 });
  const a = await runTask(pool);
  const b = await runTask(pool);
  assert.notEqual(a.proc.pid, b.proc.pid);
  assert.equal(pool.idleCount, 0);
  for (const p of [a.proc, b.proc] as WorkerProcess[]) assert.throws(() => process.kill(p.pid!, 0), "the process has exited");
});
