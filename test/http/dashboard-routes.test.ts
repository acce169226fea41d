import assert from "node:assert/strict";
import { test } from "node:test";
import { startHarness, taskMessage } from "../helpers/embedded-http-harness.ts";

/** Reads SSE events from a response until `enough` says so (or the body ends). */
async function readEvents(res: Response, enough: (events: { event: string; data: unknown }[]) => boolean): Promise<{ event: string; data: unknown }[]> {
  const events: { event: string; data: unknown }[] = [];
  const decoder = new TextDecoder();
  let buffer = "";
  const reader: ReadableStreamDefaultReader<Uint8Array> = res.body!.getReader();
  try {
    while (!enough(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        events.push({ event: /^event: (.*)$/m.exec(block)?.[1] ?? "message", data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? "null") });
      }
    }
  } finally {
    await reader.cancel();
  }
  return events;
}

test("dashboard routes: live feed, timeline, retry of a failed task (embedded replay), the embedded DLQ, the node panel, query validation", { timeout: 90_000 }, async () => {
  const h = await startHarness();
  try {
    // The feed first, so the task's changes arrive on it.
    const feed = await h.app.request("/events/tasks");
    assert.equal(feed.headers.get("content-type")?.split(";")[0], "text/event-stream");
    const failing = taskMessage({ params: { stages: 2, stage_ms: 2000, crash_in: "step_2", crash_how: "throw" }, retry: { attempt: 1, max_attempts: 1 } });
    assert.equal((await h.post(failing)).status, 202);
    const id = failing.task_id as string;
    // Out of attempts: failed, then dead-lettered (embedded mode records it too).
    const settled = (e: { event: string; data: unknown }) => e.event === "task" && (e.data as { task_id: string }).task_id === id && (e.data as { state: string }).state === "dead_lettered";
    const events = await readEvents(feed, (es) => es.some(settled));
    assert.equal(events[0]!.event, "hello");
    const states = events.filter((e) => e.event === "task").map((e) => (e.data as { state: string }).state);
    assert.ok(states.includes("processing") && states.at(-1) === "dead_lettered", `the feed followed the task: ${states.join(" → ")}`);

    const timeline = (await (await h.app.request(`/tasks/${id}/timeline`)).json()) as { entries: { kind: string; detail: string | null; stage: string | null; duration_seconds: number | null }[] };
    const stage1 = timeline.entries.find((e) => e.kind === "stage" && e.stage === "step_1")!;
    assert.ok(stage1.duration_seconds !== null && stage1.duration_seconds >= 2, "a completed stage has its duration");
    const failure = timeline.entries.find((e) => e.kind === "failed")!;
    assert.equal(failure.stage, "step_2");
    assert.match(failure.detail!, /processor bug/);

    const dlq = (await (await h.app.request("/dlq")).json()) as { source: string; entries: { task_id: string; replayable: boolean }[] };
    assert.equal(dlq.source, "event_store");
    assert.deepEqual(
      dlq.entries.map((e) => e.task_id),
      [id],
    );

    const retried = await h.app.request(`/tasks/${id}/retry`, { method: "POST" });
    assert.equal(retried.status, 202);
    assert.deepEqual(await retried.json(), { task_id: id, retry: "replayed" });
    const again = await h.waitSettled(id);
    assert.ok(["failed", "dead_lettered"].includes(again.state));
    assert.equal((await h.view(id)).attempt, 2, "the replay ran as attempt 2");
    const stream = (await (await h.app.request(`/tasks/${id}/events`)).json()) as { events: { type: string; data: { reason?: string } }[] };
    assert.ok(stream.events.some((e) => e.type === "AttemptStarted" && e.data.reason === "replay"));

    // Neither a refused task nor a completed one is retried.
    const refused = taskMessage({ params: { stages: 99 } });
    assert.equal((await h.post(refused)).status, 422);
    assert.equal((await h.app.request(`/tasks/${refused.task_id as string}/retry`, { method: "POST" })).status, 409);
    const ok = taskMessage({ params: { stages: 1, stage_ms: 10 } });
    await h.post(ok);
    assert.equal((await h.waitSettled(ok.task_id as string)).state, "completed");
    assert.equal((await h.app.request(`/tasks/${ok.task_id as string}/retry`, { method: "POST" })).status, 409);

    const node = (await (await h.app.request("/node")).json()) as { capacity: { cores: number }; target: { cpu_percent: number }; in_use: { cpu_percent: number } };
    assert.ok(node.capacity.cores > 0);
    assert.equal(node.target.cpu_percent, 85);

    for (const q of ["limit=0", "limit=abc", "state=boiling", "cursor=x", "colour=blue"]) {
      const res = await h.app.request(`/tasks?${q}`);
      assert.equal(res.status, 400, q);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, "INVALID_QUERY");
    }
    const failedOnly = (await (await h.app.request("/tasks?state=failed,dead_lettered")).json()) as { tasks: { task_id: string }[]; total: number };
    assert.deepEqual(
      failedOnly.tasks.map((t) => t.task_id),
      [id],
      "the refused one is hidden, the completed one filtered out",
    );
  } finally {
    await h.close();
  }
});
