/** Issue 16 over the production stack (RabbitMQ, PostgreSQL, Redis, s3rver, the service as a child
 * process): defect 1 — a destination bucket that does not exist crashed the AMQP node 4 times in 31 s;
 * defects 2 and 4 — a callback queue outside the service's namespace stopped everyone's results or
 * bound tasks.light. Each now ends in a failed result with a code, and the node keeps serving. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "amqplib";
import { fixture } from "../helpers/fixtures.ts";
import { e2eStack } from "./e2e-stack.ts";

test(
  "AMQP: NoSuchBucket on the final upload is a failed result (STORAGE_ERROR, its stage, not retried); bad callback queues are INVALID_MESSAGE on the default queue; the node stays up and the next task completes",
  { timeout: 240_000 },
  async () => {
    const stack = await e2eStack();
    try {
      const svc = await stack.start();
      const upload = async (msg: Record<string, unknown>) => {
        const source = msg.source as { bucket: string; key: string };
        await stack.storage.upload(source.bucket, source.key, fixture("images", "recurser_Landscape_6.jpg"));
      };

      const noBucket = stack.taskMessage({ params: { sizes: [64] }, destination: { bucket: "no-such-bucket", base_key: "tenants/x/processed/y/" } });
      await upload(noBucket);
      await stack.platform.publish("image_thumbnail", noBucket);
      const [failed] = await stack.platform.waitForResults(noBucket.task_id, (r) => r.some((x) => x.body.status === "failed"), 60_000);
      const error = (failed!.body as unknown as { error: { code: string; stage: string | null; recoverable: boolean } }).error;
      assert.equal(error.code, "STORAGE_ERROR");
      assert.ok(error.stage, "the stage is named");
      assert.equal(error.recoverable, false);
      assert.equal(svc.process.exitCode, null, `the node is still running:\n${stack.logs()}`);

      // Refused at intake: the failed result goes to the default queue, never to the named one.
      const evil = stack.taskMessage({ webhook: { callback_queue: "amq.evil" } });
      const own = stack.taskMessage({ webhook: { callback_queue: "tasks.light" } });
      for (const m of [evil, own]) await stack.platform.publish("image_thumbnail", m);
      const refused = await stack.platform.dlqMessages((m) => [evil.task_id, own.task_id].includes(String(m.properties.headers?.["x-vs3d-task-id"] ?? "")));
      for (let i = 0; refused.length < 2 && i < 100; i++) {
        await new Promise((r) => setTimeout(r, 200));
        refused.splice(0, refused.length, ...(await stack.platform.dlqMessages((m) => [evil.task_id, own.task_id].includes(String(m.properties.headers?.["x-vs3d-task-id"] ?? "")))));
      }
      assert.equal(refused.length, 2, "both dead-lettered");
      for (const m of refused) assert.equal(String(m.properties.headers?.["x-vs3d-error-code"]), "INVALID_MESSAGE");
      const conn = await connect(stack.env.AMQP_URL!);
      try {
        const ch = await conn.createChannel();
        const got: string[] = [];
        for (let i = 0; got.length < 2 && i < 50; i++) {
          const m = await ch.get("vision-s3d.results", { noAck: true });
          if (m === false) await new Promise((r) => setTimeout(r, 200));
          else got.push((JSON.parse(m.content.toString()) as { task_id: string; error: { code: string } }).error.code + ":" + (JSON.parse(m.content.toString()) as { task_id: string }).task_id);
        }
        assert.deepEqual(got.sort(), [`INVALID_MESSAGE:${evil.task_id}`, `INVALID_MESSAGE:${own.task_id}`].sort(), "their failed results went to the default queue");
      } finally {
        await conn.close();
      }

      const good = stack.taskMessage({ params: { sizes: [64] } });
      await upload(good);
      await stack.platform.publish("image_thumbnail", good);
      await stack.platform.waitForResults(good.task_id, (r) => r.some((x) => x.body.status === "completed"), 60_000);
      assert.equal(svc.process.exitCode, null);
      const ready = (await (await fetch(`${svc.url}/health/ready`)).json()) as Record<string, unknown>;
      assert.ok(JSON.stringify(ready).includes("projections"), JSON.stringify(ready));
    } finally {
      await stack.close();
    }
  },
);
