import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readTreeRssBytes } from "../../src/actors/worker/rss-guard.ts";
import { embeddedEnv, taskMessage } from "../helpers/embedded-env.ts";
import { startServiceProcess, waitFor } from "../helpers/service-process.ts";

test("the RSS guard counts a worker's children (the tools it runs) too", { timeout: 30_000 }, async () => {
  const before = (await readTreeRssBytes(process.pid))!;
  const child = spawn(process.execPath, ["-e", "globalThis.b = Buffer.alloc(300 * 2 ** 20, 1); setTimeout(() => {}, 20000)"], { stdio: "ignore" });
  try {
    const grown = await waitFor(
      "the child's memory",
      async () => {
        const now = (await readTreeRssBytes(process.pid))!;
        return now - before > 250 * 2 ** 20 ? now : null;
      },
      15_000,
    );
    assert.ok(grown - before > 250 * 2 ** 20);
  } finally {
    child.kill("SIGKILL");
  }
});

test("a task far over its RAM grant is stopped with RESOURCE_EXCEEDED; one past its timeout ends TIMEOUT", { timeout: 120_000 }, async () => {
  const sandbox = await embeddedEnv();
  await sandbox.put("in", "files/input.bin", "hello");
  const svc = await startServiceProcess({
    ...sandbox.env,
    // image_convert (the test processor) gets 0.2 GB and 8 s; the guard stops it at 1.5× its grant.
    VS3D_BROKER_WEIGHTS: JSON.stringify({ image_convert: { ram_gb: 0.2, timeout_seconds: 8 } }),
  });
  try {
    const hog = taskMessage({ params: { stages: 1, stage_ms: 0, crash_in: "step_1", crash_how: "hog" }, retry: { attempt: 1, max_attempts: 1 } });
    const slow = taskMessage({ params: { stages: 1, stage_ms: 20_000 }, retry: { attempt: 1, max_attempts: 1 } });
    for (const m of [hog, slow]) {
      assert.equal((await fetch(`${svc.url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(m) })).status, 202);
    }
    const settled = async (id: string) =>
      waitFor(
        `task ${id} to settle`,
        async () => {
          const v = (await (await fetch(`${svc.url}/tasks/${id}`)).json()) as { state: string; error: { code: string; message: string } | null };
          return ["failed", "dead_lettered", "completed"].includes(v.state) ? v : null;
        },
        60_000,
      );
    const hogView = await settled(hog.task_id as string);
    assert.equal(hogView.error?.code, "RESOURCE_EXCEEDED", hogView.error?.message);
    const slowView = await settled(slow.task_id as string);
    assert.equal(slowView.error?.code, "TIMEOUT", slowView.error?.message);
  } finally {
    svc.process.kill("SIGTERM");
    await svc.process;
  }
});
