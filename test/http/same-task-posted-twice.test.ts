import { test } from "node:test";
import assert from "node:assert/strict";
import { startHarness, taskMessage } from "../helpers/embedded-http-harness.ts";

test("the same task POSTed twice at once is accepted once and answered twice (no 500)", { timeout: 60_000 }, async () => {
  const h = await startHarness();
  try {
    const msg = taskMessage({ params: { stages: 1, stage_ms: 50 } });
    const [a, b] = await Promise.all([h.post(msg), h.post(msg)]);
    assert.deepEqual([a.status, b.status].sort(), [200, 202], `statuses: ${a.status} ${await a.clone().text()} / ${b.status} ${await b.clone().text()}`);
    const settled = await h.waitSettled(msg.task_id as string);
    assert.equal(settled.state, "completed");
  } finally {
    await h.close();
  }
});
