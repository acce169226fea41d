import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startChildWorker } from "../../../src/actors/worker/child-worker.ts";
import { silentLogger } from "../../../src/infra/logger.ts";
import { REPO_ROOT } from "../../helpers/fixtures.ts";

test("an error while the host handles a worker message fails the stage instead of leaving it waiting forever", { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "vs3d-ipc-"));
  const stop = new AbortController();
  const worker = await startChildWorker({
    signal: stop.signal,
    logger: silentLogger(),
    extraProcessorModules: [join(REPO_ROOT, "test", "fixtures", "test-processors.ts")],
    taskType: "image_convert",
  });
  try {
    await mkdir(join(dir, "out"));
    await writeFile(join(dir, "in.bin"), "x");
    const run = worker.runStage(
      {
        type: "run-stage",
        taskType: "image_convert",
        stage: "step_1",
        params: { stages: 1, stage_ms: 200 },
        filePath: join(dir, "in.bin"),
        workDir: dir,
        outDir: join(dir, "out"),
        source: { key: "in.bin" },
        previous: {},
      },
      () => {
        throw new Error("progress sink broke");
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      run.then(
        () => "resolved",
        (error: unknown) => error,
      ),
      new Promise((r) => (timer = setTimeout(() => r("still waiting after 15 s"), 15_000))),
    ]);
    clearTimeout(timer);
    assert.ok(outcome instanceof Error, `the stage must fail, got: ${String(outcome)}`);
    assert.equal((outcome as Error & { code?: string }).code, "PROCESSOR_CRASHED");
    assert.match(outcome.message, /progress sink broke/);
  } finally {
    stop.abort(new Error("test over"));
    await worker.close();
    await rm(dir, { recursive: true, force: true });
  }
});
