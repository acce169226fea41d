import { test } from "node:test";
import assert from "node:assert/strict";
import { createFifoSlotBroker } from "../helpers/fifo-slot-broker.ts";
import { startHarness, taskMessage } from "../helpers/embedded-http-harness.ts";

test("a task's timeout counts its own run, not the time it waited for a slot behind another task", { timeout: 60_000 }, async () => {
  // One slot; each task runs ~2.5 s, well inside its 4 s timeout.
  const h = await startHarness({
    env: { VS3D_BROKER_WEIGHTS: JSON.stringify({ image_convert: { timeout_seconds: 4 } }) },
    overrides: { broker: createFifoSlotBroker({ maxConcurrent: 1 }) },
  });
  try {
    const first = taskMessage({ params: { stages: 1, stage_ms: 2500 }, retry: { attempt: 1, max_attempts: 1 } });
    const second = taskMessage({ params: { stages: 1, stage_ms: 2500 }, retry: { attempt: 1, max_attempts: 1 } });
    assert.equal((await h.post(first)).status, 202);
    assert.equal((await h.post(second)).status, 202);
    assert.equal((await h.waitSettled(first.task_id as string)).state, "completed");
    const v = await h.waitSettled(second.task_id as string);
    assert.equal(v.state, "completed", `second task ended ${v.state} with ${v.error?.code}`);
  } finally {
    await h.close();
  }
});

test("a timeout beyond a timer's range (30 days) is refused at start-up, naming the setting", { timeout: 60_000 }, async () => {
  await assert.rejects(startHarness({ env: { VS3D_BROKER_WEIGHTS: JSON.stringify({ image_convert: { timeout_seconds: 30 * 86_400 } }) } }), /timeout_seconds/);
});

test("a retry delay beyond a timer's range (30 days) is refused at start-up, naming the variable", { timeout: 60_000 }, async () => {
  await assert.rejects(startHarness({ env: { RETRY_DELAYS_SECONDS: String(30 * 86_400) } }), /RETRY_DELAYS_SECONDS/);
});
