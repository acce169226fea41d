import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { startHarness, taskMessage } from "../helpers/embedded-http-harness.ts";

/** This process's worker children (worker-entry.ts), from /proc. */
async function workerChildren(): Promise<Set<number>> {
  const pids = new Set<number>();
  for (const e of await readdir("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    const [status, cmdline] = await Promise.all([readFile(`/proc/${e}/status`, "utf8").catch(() => ""), readFile(`/proc/${e}/cmdline`, "utf8").catch(() => "")]);
    const ppid = /^PPid:\s+(\d+)/m.exec(status)?.[1];
    const state = /^State:\s+(\w)/m.exec(status)?.[1];
    if (Number(ppid) === process.pid && state !== "Z" && cmdline.includes("worker-entry")) pids.add(Number(e));
  }
  return pids;
}

test(
  "warm workers are on by default: the second task of a kind runs on a worker process already started",
  { timeout: 120_000, skip: process.env.VS3D_WARM_WORKERS !== undefined && "VS3D_WARM_WORKERS is set: this is about the default" },
  async () => {
    const h = await startHarness({ overrides: { workerMode: "child" } });
    try {
      const first = taskMessage({ params: { stages: 1, stage_ms: 0 } });
      assert.equal((await h.post(first)).status, 202);
      assert.equal((await h.waitSettled(first.task_id as string, 60_000)).state, "completed");
      // The worker that ran it and the spare started beside it, once both are idle.
      let warm = await workerChildren();
      for (let i = 0; i < 100 && warm.size < 2; i++) warm = await new Promise((r) => setTimeout(r, 100)).then(workerChildren);
      assert.equal(warm.size, 2, `idle workers: ${[...warm].join(", ")}`);

      const second = taskMessage({ params: { stages: 1, stage_ms: 1500 } });
      assert.equal((await h.post(second)).status, 202);
      const during = new Set<number>();
      for (let i = 0; i < 600 && (await h.view(second.task_id as string)).state !== "completed"; i++) {
        for (const pid of await workerChildren()) during.add(pid);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal((await h.view(second.task_id as string)).state, "completed");
      assert.deepEqual(
        [...during].filter((pid) => !warm.has(pid)),
        [],
        "no worker process was started for the second task",
      );
    } finally {
      await h.close();
    }
    assert.equal((await workerChildren()).size, 0, "the service's close retired its idle workers");
  },
);
