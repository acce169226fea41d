import { test } from "node:test";
import assert from "node:assert/strict";
import { embeddedEnv, taskMessage } from "../helpers/embedded-env.ts";
import { startServiceProcess, waitFor } from "../helpers/service-process.ts";

interface Progress {
  status: string;
  progress: { percent: number; stage: string | null };
}

/** Reads an SSE response until it ends, collecting `progress` events. */
async function readSse(res: Response): Promise<Progress[]> {
  const out: Progress[] = [];
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (/^event: progress$/m.test(block)) out.push(JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as Progress);
    }
  }
  return out;
}

test("embedded HTTP: POST /tasks, live progress over SSE to 100 %, state and events from the stream", { timeout: 120_000 }, async () => {
  const sandbox = await embeddedEnv();
  await sandbox.put("in", "files/input.bin", "hello");
  const svc = await startServiceProcess(sandbox.env);
  try {
    const msg = taskMessage({ params: { stages: 3, stage_ms: 2500 } });
    const posted = await fetch(`${svc.url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(msg) });
    assert.equal(posted.status, 202);
    assert.equal(((await posted.json()) as { outcome: string }).outcome, "new");

    const sse = await fetch(`${svc.url}/tasks/${msg.task_id as string}/progress`);
    assert.equal(sse.headers.get("content-type")?.split(";")[0], "text/event-stream");
    const messages = await readSse(sse);
    const last = messages.at(-1)!;
    assert.equal(last.status, "completed");
    assert.equal(last.progress.percent, 100);
    const stages = new Set(messages.map((m) => m.progress.stage).filter(Boolean));
    assert.ok(stages.size >= 2, `progress named the stages as they ran: ${[...stages].join(", ")}`);
    const percents = messages.map((m) => m.progress.percent);
    assert.deepEqual(
      percents,
      [...percents].sort((a, b) => a - b),
      "the bar never runs backwards",
    );

    const view = (await (await fetch(`${svc.url}/tasks/${msg.task_id as string}`)).json()) as { state: string; stages: { completed: boolean }[]; outputs: unknown[] };
    assert.equal(view.state, "completed");
    assert.ok(view.stages.every((s) => s.completed));
    assert.equal(view.outputs.length, 3);
    const events = (await (await fetch(`${svc.url}/tasks/${msg.task_id as string}/events`)).json()) as {
      events: { type: string; revision: number; metadata: { correlation_id: string; machine_version: string } }[];
    };
    assert.equal(events.events[0]!.type, "TaskAccepted");
    assert.equal(events.events.at(-1)!.type, "TaskCompleted");
    assert.deepEqual(
      events.events.map((e) => e.revision),
      events.events.map((_, i) => i),
    );
    assert.ok(events.events.every((e) => e.metadata.correlation_id === msg.task_id && e.metadata.machine_version.startsWith("task-machine@")));

    // The same message again is a duplicate: nothing reruns.
    const again = await fetch(`${svc.url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(msg) });
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { outcome: string }).outcome, "duplicate");
  } finally {
    svc.process.kill("SIGTERM");
    await svc.process;
  }
});

test("embedded HTTP: bad input gets a clear error, cancel works, health and metrics answer", { timeout: 120_000 }, async () => {
  const sandbox = await embeddedEnv();
  await sandbox.put("in", "files/input.bin", "hello");
  const svc = await startServiceProcess(sandbox.env);
  const post = (body: string) => fetch(`${svc.url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body });
  try {
    const notJson = await post("{nope");
    assert.equal(notJson.status, 400);
    assert.equal(((await notJson.json()) as { error: { code: string } }).error.code, "INVALID_MESSAGE");
    const unknownType = await post(JSON.stringify(taskMessage({ task_type: "teleport" })));
    assert.equal(unknownType.status, 400);

    // Every task type has a processor now (UNSUPPORTED_TASK_TYPE is covered on a registry without
    // one, test/cli/vs3d-cli.test.ts): a mesh task on bytes that are no mesh fails with a clear code.
    const unsupported = taskMessage({ task_type: "mesh_3d_lod" });
    assert.equal((await post(JSON.stringify(unsupported))).status, 202);
    const failed = await waitFor("the unsupported task to fail", async () => {
      const v = (await (await fetch(`${svc.url}/tasks/${unsupported.task_id as string}`)).json()) as { state: string; error: { code: string } | null };
      return v.state === "failed" ? v : null;
    });
    assert.equal(failed.error?.code, "UNSUPPORTED_FORMAT");

    const slow = taskMessage({ params: { stages: 5, stage_ms: 3000 } });
    assert.equal((await post(JSON.stringify(slow))).status, 202);
    await waitFor("the slow task to run", async () => {
      const v = (await (await fetch(`${svc.url}/tasks/${slow.task_id as string}`)).json()) as { state: string };
      return v.state === "processing";
    });
    const cancel = await fetch(`${svc.url}/tasks/${slow.task_id as string}/cancel`, { method: "POST" });
    assert.equal(cancel.status, 202);
    const cancelled = (await (await fetch(`${svc.url}/tasks/${slow.task_id as string}`)).json()) as { state: string };
    assert.equal(cancelled.state, "cancelled");
    assert.equal((await fetch(`${svc.url}/tasks/${slow.task_id as string}/cancel`, { method: "POST" })).status, 409, "a settled task cannot be cancelled again");

    assert.equal((await fetch(`${svc.url}/health/live`)).status, 200);
    const ready = (await (await fetch(`${svc.url}/health/ready`)).json()) as { status: string; checks: Record<string, { ok: boolean }> };
    assert.equal(ready.status, "ready");
    assert.ok(ready.checks.event_store?.ok && ready.checks.storage?.ok);
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    assert.match(metrics, /vs3d_tasks_finished_total\{task_type="image_convert",outcome="cancelled",code="CANCELLED"\} 1/);
    assert.match(metrics, /vs3d_tasks_finished_total\{task_type="mesh_3d_lod",outcome="failed",code="UNSUPPORTED_FORMAT"\} 1/);
  } finally {
    svc.process.kill("SIGTERM");
    await svc.process;
  }
});

test("embedded HTTP: every /tasks/:id route refuses an id that is not a UUID", { timeout: 60_000 }, async () => {
  const sandbox = await embeddedEnv();
  const svc = await startServiceProcess(sandbox.env);
  try {
    for (const [method, path] of [
      ["GET", "/tasks/nope"],
      ["GET", "/tasks/nope/events"],
      ["GET", "/tasks/..%2F..%2Fetc/progress"],
      ["POST", "/tasks/x/cancel"],
    ] as const) {
      const r = await fetch(`${svc.url}${path}`, { method });
      assert.equal(r.status, 400, `${method} ${path}`);
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, "INVALID_MESSAGE");
    }
    assert.equal((await fetch(`${svc.url}/tasks/7d0f3c1e-2b4a-4f7e-9a51-0c2d8e6f1a23`)).status, 404);
  } finally {
    svc.process.kill("SIGTERM");
    await svc.process;
  }
});
