import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { embeddedEnv, taskMessage } from "../helpers/embedded-env.ts";
import { startServiceProcess, waitFor } from "../helpers/service-process.ts";

interface EventRow {
  type: string;
  data: { stage?: string; type: string };
}

async function events(url: string, taskId: string): Promise<EventRow[]> {
  const r = await fetch(`${url}/tasks/${taskId}/events`);
  return r.ok ? ((await r.json()) as { events: EventRow[] }).events : [];
}

test("SIGKILL mid-task: after a restart the task completes without redoing a completed stage", { timeout: 180_000 }, async () => {
  const sandbox = await embeddedEnv();
  await sandbox.put("in", "files/input.bin", "hello");
  const ledger = join(sandbox.root, "ledger.txt");
  const msg = taskMessage({ params: { stages: 3, stage_ms: 2500, ledger } });
  const taskId = msg.task_id as string;

  const first = await startServiceProcess(sandbox.env);
  const posted = await fetch(`${first.url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(msg) });
  assert.equal(posted.status, 202);
  // Kill once step_1 is done and step_2 has started: the worst moment, mid-stage.
  // (step_1's upload runs beside step_2, so its StageCompleted may follow step_2's StageStarted.)
  await waitFor("step_1 done and step_2 started", async () => {
    const evs = await events(first.url, taskId);
    return evs.some((e) => e.type === "StageCompleted" && e.data.stage === "step_1") && evs.some((e) => e.type === "StageStarted" && e.data.stage === "step_2");
  });
  first.process.kill("SIGKILL");
  await first.process;

  const second = await startServiceProcess(sandbox.env);
  try {
    const final = await waitFor(
      "completion",
      async () => {
        const evs = await events(second.url, taskId);
        return evs.some((e) => e.type === "TaskCompleted") ? evs : null;
      },
      120_000,
    );
    const types = final.map((e) => e.type);
    assert.ok(types.includes("TaskInterrupted"), "the restart records the interruption");
    for (const stage of ["step_1", "step_2", "step_3"]) {
      const completedAt = final.findIndex((e) => e.type === "StageCompleted" && e.data.stage === stage);
      assert.ok(completedAt >= 0, `${stage} completed`);
      assert.equal(final.filter((e) => e.type === "StageCompleted" && e.data.stage === stage).length, 1, `${stage} completed once`);
      assert.ok(!final.slice(completedAt).some((e) => e.type === "StageStarted" && e.data.stage === stage), `${stage} never started again after it completed`);
    }
    // step_1 ran once in all; step_2 was cut by the kill and ran again; step_3 once.
    const runs = (await readFile(ledger, "utf8")).trim().split("\n");
    assert.deepEqual(
      runs.filter((r) => r === "step_1"),
      ["step_1"],
    );
    assert.equal(runs.filter((r) => r === "step_2").length, 2);
    const view = (await (await fetch(`${second.url}/tasks/${taskId}`)).json()) as { state: string; outputs: unknown[] };
    assert.equal(view.state, "completed");
    assert.equal(view.outputs.length, 3);
  } finally {
    second.process.kill("SIGTERM");
    await second.process;
  }
});

test("a processor that kills its worker fails only that task, with PROCESSOR_CRASHED; the service stays up", { timeout: 120_000 }, async () => {
  const sandbox = await embeddedEnv();
  await sandbox.put("in", "files/input.bin", "hello");
  const svc = await startServiceProcess(sandbox.env);
  try {
    const crash = taskMessage({ params: { stages: 2, stage_ms: 100, crash_in: "step_2" }, retry: { attempt: 1, max_attempts: 1 } });
    const fine = taskMessage({ params: { stages: 1, stage_ms: 100 } });
    for (const m of [crash, fine]) {
      const r = await fetch(`${svc.url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(m) });
      assert.equal(r.status, 202);
    }
    const crashed = await waitFor("the crash to be recorded", async () => {
      const v = (await (await fetch(`${svc.url}/tasks/${crash.task_id as string}`)).json()) as { state: string; error: { code: string; stage: string } | null };
      return v.state === "failed" || v.state === "dead_lettered" ? v : null;
    });
    assert.equal(crashed.error?.code, "PROCESSOR_CRASHED");
    assert.equal(crashed.error?.stage, "step_2");
    const ok = await waitFor("the other task", async () => {
      const v = (await (await fetch(`${svc.url}/tasks/${fine.task_id as string}`)).json()) as { state: string };
      return v.state === "completed" ? v : null;
    });
    assert.equal(ok.state, "completed");
    assert.equal((await fetch(`${svc.url}/health/live`)).status, 200);
  } finally {
    svc.process.kill("SIGTERM");
    await svc.process;
  }
});
