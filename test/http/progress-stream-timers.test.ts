import { test } from "node:test";
import assert from "node:assert/strict";
import type { ProgressMessage } from "../../src/contracts/progress-message.ts";
import { taskProgressChannel } from "../../src/contracts/task-message.ts";
import { startHarness, taskMessage } from "../helpers/embedded-http-harness.ts";

const timers = () => process.getActiveResourcesInfo().filter((name) => name === "Timeout").length;

test("GET /tasks/:id/progress keeps one ping timer, however many messages it forwards", { timeout: 60_000 }, async () => {
  const h = await startHarness();
  try {
    const msg = taskMessage({ params: { stages: 1, stage_ms: 20_000 } });
    const taskId = msg.task_id as string;
    assert.equal((await h.post(msg)).status, 202);
    const res = await h.app.request(`/tasks/${taskId}/progress`);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const progressEvents = () => text.split("event: progress").length - 1;
    const readUntil = async (events: number) => {
      while (progressEvents() < events) {
        const next = await reader.read();
        if (next.done) throw new Error(`the stream ended after ${progressEvents()} progress events`);
        text += decoder.decode(next.value as Uint8Array, { stream: true });
      }
    };
    await readUntil(1); // subscribed: the current state has been sent

    const before = timers();
    const message: ProgressMessage = {
      task_id: taskId,
      tenant_id: String(msg.tenant_id),
      file_id: String(msg.file_id),
      status: "processing",
      progress: { percent: 10, stage: "step_1", stage_label: null, items_done: null, items_total: null, items_unit: null, stage_index: 1, stage_count: 1 },
      eta_seconds: null,
      emitted_at: new Date().toISOString(),
      attempt: 1,
      error: null,
    };
    const forwarded = 40;
    for (let i = 0; i < forwarded; i++) {
      await h.service.bus.publish(taskProgressChannel(taskId), message);
      await readUntil(2 + i); // one at a time, so the stream waits (and arms its timer) between them
    }
    const grown = timers() - before;
    assert.ok(grown < 10, `${forwarded} forwarded messages left ${grown} more timers behind (each wait must clear its ping timer)`);
    await reader.cancel();
    await h.app.request(`/tasks/${taskId}/cancel`, { method: "POST" });
  } finally {
    await h.close();
  }
});
