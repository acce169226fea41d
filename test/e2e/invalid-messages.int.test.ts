import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { GetMessage } from "amqplib";
import { waitFor } from "../helpers/service-process.ts";
import { e2eStack } from "./e2e-stack.ts";

test("invalid JSON, an unknown task type and a schema error land in tasks.dlq with a reason; readable ones get an INVALID_MESSAGE result", { timeout: 60_000 }, async () => {
  const stack = await e2eStack();
  const marker = randomUUID();
  const notJson = `{"task_id": "${marker}", oops`;
  const unknown = stack.taskMessage({ task_type: "hologram_render" });
  const broken = stack.taskMessage({ destination: { bucket: "out", base_key: "../escape/" } });
  const mine = (m: GetMessage) => m.content.toString() === notJson || [unknown.task_id, broken.task_id].includes(String(m.properties.headers?.["x-vs3d-task-id"]));
  try {
    await stack.start();
    await stack.platform.publish("image_thumbnail", notJson);
    // No class queue binds this key: the tasks exchange's alternate exchange catches it.
    await stack.platform.publish("hologram_render", unknown);
    await stack.platform.publish("image_thumbnail", broken);

    const dead = await waitFor(
      "three dead letters",
      async () => {
        const found = await stack.platform.dlqMessages(mine);
        return found.length >= 3 ? found : null;
      },
      20_000,
    );
    assert.equal(dead.length, 3);
    const byContent = (pred: (m: GetMessage) => boolean) => dead.find(pred)!.properties.headers!;
    const h1 = byContent((m) => m.content.toString() === notJson);
    assert.equal(h1["x-vs3d-error-code"], "INVALID_MESSAGE");
    assert.match(String(h1["x-vs3d-reason"]), /not valid UTF-8 JSON/);
    const h2 = byContent((m) => m.properties.headers?.["x-vs3d-task-id"] === unknown.task_id);
    assert.match(String(h2["x-vs3d-reason"]), /task_type/);
    assert.equal(h2["x-vs3d-original-routing-key"], "hologram_render");
    const h3 = byContent((m) => m.properties.headers?.["x-vs3d-task-id"] === broken.task_id);
    assert.match(String(h3["x-vs3d-reason"]), /destination\.base_key/);

    for (const id of [unknown.task_id, broken.task_id]) {
      const [r] = await stack.platform.waitForResults(id, (rs) => rs.length > 0, 10_000);
      const body = r!.body as unknown as { status: string; error: { code: string; recoverable: boolean }; retry: { will_retry: boolean } };
      assert.equal(body.status, "failed");
      assert.equal(body.error.code, "INVALID_MESSAGE");
      assert.equal(body.retry.will_retry, false);
    }
    // The unparseable one has no task_id to answer to: no result names the marker.
    assert.ok(!stack.platform.results.some((r) => r.body.task_id === marker));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${stack.logs()}`, { cause: error });
  } finally {
    await stack.platform.removeFromDlq(mine);
    await stack.close();
  }
});
