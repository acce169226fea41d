import { test } from "node:test";
import assert from "node:assert/strict";
import { startHarness, taskMessage } from "../helpers/embedded-http-harness.ts";

test("POST /tasks/:id/cancel refuses a body that is not a CancelRequest (400) and cancels with the reason given", { timeout: 60_000 }, async () => {
  const h = await startHarness();
  try {
    const msg = taskMessage({ params: { stages: 1, stage_ms: 20_000 } });
    const taskId = msg.task_id as string;
    assert.equal((await h.post(msg)).status, 202);
    const cancel = (body?: string) => h.app.request(`/tasks/${taskId}/cancel`, { method: "POST", ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body }) });
    for (const [what, body] of [
      ["not JSON", "reason=stop"],
      ["a number for a reason", JSON.stringify({ reason: 5 })],
      ["a reason over 500 characters", JSON.stringify({ reason: "x".repeat(501) })],
      ["a reason with a NUL", JSON.stringify({ reason: "stop\u0000now" })],
      ["an array", "[]"],
    ] as const) {
      const res = await cancel(body);
      assert.equal(res.status, 400, `${what} must be refused`);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, "INVALID_MESSAGE", what);
    }
    assert.equal((await h.view(taskId)).state === "cancelled", false, "a refused cancel does not cancel");

    assert.equal((await cancel(JSON.stringify({ reason: "operator asked" }))).status, 202);
    await h.waitSettled(taskId);
    const events = ((await (await h.app.request(`/tasks/${taskId}/events`)).json()) as { events: { type: string; data: { reason?: string } }[] }).events;
    assert.equal(events.find((e) => e.type === "TaskCancelled")?.data.reason, "operator asked");
  } finally {
    await h.close();
  }
});

test("POST /tasks/:id/cancel without a body still cancels", { timeout: 60_000 }, async () => {
  const h = await startHarness();
  try {
    const msg = taskMessage({ params: { stages: 1, stage_ms: 20_000 } });
    const taskId = msg.task_id as string;
    assert.equal((await h.post(msg)).status, 202);
    assert.equal((await h.app.request(`/tasks/${taskId}/cancel`, { method: "POST" })).status, 202);
    assert.equal((await h.waitSettled(taskId)).state, "cancelled");
  } finally {
    await h.close();
  }
});
