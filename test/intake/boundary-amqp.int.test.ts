import { test } from "node:test";
import assert from "node:assert/strict";
import type { GetMessage } from "amqplib";
import { waitFor } from "../helpers/service-process.ts";
import { e2eStack, taskEvents } from "../e2e/e2e-stack.ts";

test(
  "AMQP boundary: a NUL is dead-lettered with a failed result (not requeued forever); a task_id conflict is dead-lettered without a result; an uppercase copy is the same task; array params get INVALID_PARAMS",
  { timeout: 90_000 },
  async () => {
    const stack = await e2eStack();
    const nul = stack.taskMessage({ params: { sizes: [64], "k\u0000": 1 } });
    const bucket = stack.taskMessage({ source: { bucket: "in\u0000", key: "tenants/x/files/photo.jpg" } });
    const first = stack.taskMessage();
    const conflict = { ...first, params: { sizes: [512] } };
    const upper = { ...first, task_id: first.task_id.toUpperCase() };
    const arr = stack.taskMessage({ params: [64] });
    const ids = [nul.task_id, bucket.task_id, first.task_id];
    const mine = (m: GetMessage) => ids.includes(String(m.properties.headers?.["x-vs3d-task-id"]));
    try {
      const svc = await stack.start();
      for (const m of [nul, bucket, first, arr]) await stack.platform.publish("image_thumbnail", m);
      // The first copy settles (its source does not exist) before the copies arrive.
      await stack.platform.waitForResults(first.task_id, (r) => r.length > 0, 30_000);
      await stack.platform.publish("image_thumbnail", conflict);
      await stack.platform.publish("image_thumbnail", upper);

      const dead = await waitFor(
        "three dead letters",
        async () => {
          const found = await stack.platform.dlqMessages(mine);
          return found.length >= 3 ? found : null;
        },
        30_000,
      );
      const reasonOf = (id: string) => dead.filter((m) => m.properties.headers?.["x-vs3d-task-id"] === id).map((m) => String(m.properties.headers?.["x-vs3d-reason"]));
      assert.match(reasonOf(nul.task_id)[0] ?? "", /cannot be stored/);
      assert.match(reasonOf(bucket.task_id)[0] ?? "", /source\.bucket.*NUL/);
      assert.deepEqual(reasonOf(first.task_id).length, 1, "only the conflicting copy is dead-lettered");
      assert.match(reasonOf(first.task_id)[0]!, /already a task with another message/);

      for (const id of [nul.task_id, bucket.task_id]) {
        const [r] = await stack.platform.waitForResults(id, (rs) => rs.length > 0, 10_000);
        assert.equal((r!.body as unknown as { error: { code: string } }).error.code, "INVALID_MESSAGE");
      }
      const [a] = await stack.platform.waitForResults(arr.task_id, (rs) => rs.length > 0, 20_000);
      assert.equal((a!.body as unknown as { error: { code: string } }).error.code, "INVALID_PARAMS");

      // The conflict and the uppercase copy produced no second result and no second stream.
      await new Promise((r) => setTimeout(r, 1500));
      const firstResults = new Set(stack.platform.results.filter((r) => r.body.task_id === first.task_id).map((r) => r.messageId));
      assert.equal(firstResults.size, 1);
      const events = await taskEvents(svc.url, first.task_id);
      assert.equal(events.filter((e) => e.type === "TaskAccepted").length, 1);
      assert.deepEqual(await taskEvents(svc.url, first.task_id.toUpperCase()), events, "the uppercase id reads the same stream");
      // No delivery was requeued in a loop.
      assert.doesNotMatch(svc.logs(), /delivery handling failed: requeueing/);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${stack.logs().slice(-6000)}`, { cause: error });
    } finally {
      await stack.platform.removeFromDlq(mine);
      await stack.close();
    }
  },
);
