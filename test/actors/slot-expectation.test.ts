import { test } from "node:test";
import assert from "node:assert/strict";
import type { SlotBroker } from "../../src/ports/slot-broker.port.ts";
import { createFifoSlotBroker } from "../helpers/fifo-slot-broker.ts";
import { startHarness, taskMessage } from "../helpers/embedded-http-harness.ts";

/** The FIFO broker, with a log of what tasks told it: the resource broker's gathering window closes
 * early on these calls (test/broker/resource-broker.test.ts). */
function recordingBroker(): { broker: SlotBroker; calls: string[] } {
  const inner = createFifoSlotBroker({ maxConcurrent: 4 });
  const calls: string[] = [];
  return {
    calls,
    broker: {
      request: (req, signal) => (calls.push(`request ${req.taskId}`), inner.request(req, signal)),
      release: (taskId) => inner.release(taskId),
      expect: (taskId) => (calls.push(`expect ${taskId}`), () => void calls.push(`unexpect ${taskId}`)),
    },
  };
}

test("a task tells the broker it will ask before its download, and a task whose download fails takes that back without asking", { timeout: 60_000 }, async () => {
  const { broker, calls } = recordingBroker();
  const h = await startHarness({ overrides: { broker } });
  try {
    const good = taskMessage({ params: { stages: 1, stage_ms: 10 }, retry: { attempt: 1, max_attempts: 1 } });
    const missing = taskMessage({ source: { bucket: "in", key: "files/not-there.bin" }, retry: { attempt: 1, max_attempts: 1 } });
    assert.equal((await h.post(good)).status, 202);
    assert.equal((await h.waitSettled(good.task_id as string)).state, "completed");
    assert.equal((await h.post(missing)).status, 202);
    assert.equal((await h.waitSettled(missing.task_id as string)).error?.code, "INPUT_NOT_FOUND");
    const of = (id: unknown) => calls.filter((c) => c.endsWith(` ${String(id)}`)).map((c) => c.split(" ")[0]);
    assert.deepEqual(of(good.task_id).slice(0, 2), ["expect", "request"], "expected before it asked");
    assert.deepEqual(of(missing.task_id), ["expect", "unexpect"], "never asked: the word is taken back");
  } finally {
    await h.close();
  }
});
