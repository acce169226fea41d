import { test } from "node:test";
import assert from "node:assert/strict";
import type { ProgressBus } from "../../src/ports/progress-bus.port.ts";
import { startHarness, taskMessage } from "../helpers/embedded-http-harness.ts";

/** Reads an SSE body until it ends or `ms` pass; returns the event names and whether it ended. */
async function readSse(res: Response, ms: number): Promise<{ ended: boolean; events: string[] }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: string[] = [];
  let buffer = "";
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) {
      await reader.cancel();
      return { ended: false, events };
    }
    const next = await Promise.race([reader.read(), new Promise<"timeout">((r) => setTimeout(() => r("timeout"), left))]);
    if (next === "timeout") {
      await reader.cancel();
      return { ended: false, events };
    }
    if (next.done) return { ended: true, events };
    buffer += decoder.decode(next.value as Uint8Array, { stream: true });
    for (const m of buffer.matchAll(/^event: (\w+)$/gm)) events.push(m[1]!);
    buffer = buffer.slice(buffer.lastIndexOf("\n\n") + 2);
  }
}

test("GET /tasks/:id/progress ends when the task settles while the stream is being opened", { timeout: 60_000 }, async () => {
  // A bus whose subscribe is slow (a Redis SUBSCRIBE round trip under load): the task completes
  // between the handler's read of the stream and the subscription taking effect.
  let gate: Promise<void> = Promise.resolve();
  const h = await startHarness({
    bus: (real: ProgressBus): ProgressBus => ({
      publish: (c, m) => real.publish(c, m),
      last: (id) => real.last(id),
      close: () => real.close(),
      subscribe: async (c, on) => {
        await gate;
        return real.subscribe(c, on);
      },
    }),
  });
  try {
    const msg = taskMessage({ params: { stages: 1, stage_ms: 1000 } });
    const taskId = msg.task_id as string;
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    assert.equal((await h.post(msg)).status, 202);
    const res = await h.app.request(`/tasks/${taskId}/progress`);
    await h.waitSettled(taskId);
    await new Promise((r) => setTimeout(r, 1500)); // the projection has published the final state
    open();
    const { ended, events } = await readSse(res, 8000);
    assert.ok(ended, `the SSE stream never ended after the task completed (events: ${events.join(",")})`);
  } finally {
    await h.close();
  }
});
