import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, type Channel, type ConsumeMessage } from "amqplib";
import { TaskStream } from "../../src/actors/task-stream.ts";
import { loadConfig } from "../../src/config/config.ts";
import { TaskMessage } from "../../src/contracts/task-message.ts";
import { createAmqpRetryScheduler } from "../../src/infra/amqp/amqp-retry-scheduler.ts";
import { queueForType } from "../../src/infra/amqp/topology.ts";
import { silentLogger } from "../../src/infra/logger.ts";
import { handleDelivery } from "../../src/intake/handle-delivery.ts";
import { createService } from "../../src/service/service.ts";
import { freshVhost } from "../helpers/amqp.ts";
import { embeddedEnv, taskMessage } from "../helpers/embedded-env.ts";

// A copy of attempt 1 arrives while the task waits for attempt 2, and attempt 2's message never
// turned up (it died with the node that scheduled it). Once the retry is overdue the intake
// publishes it again; it used to go through the first TTL queue (30 s here) instead of running now.
test("an overdue retry whose message was lost is published again to run now, not a full retry delay later", { timeout: 60_000 }, async () => {
  const vhost = await freshVhost();
  const sandbox = await embeddedEnv();
  const env = { ...sandbox.env, AMQP_URL: vhost.url, RETRY_DELAYS_SECONDS: "30" };
  const service = await createService(loadConfig(env), silentLogger(), { workerMode: "inline" }, env);
  const conn = await connect(vhost.url);
  try {
    const link = service.amqp!.link;
    await link.ready();
    const task = TaskMessage.parse(taskMessage({ retry: { attempt: 1, max_attempts: 3 } }));
    // Attempt 1 failed ten minutes ago with a one-second retry delay: long overdue.
    const tenMinutesAgo = () => new Date(Date.now() - 600_000);
    const s = await TaskStream.open(service.store, task.task_id, tenMinutesAgo);
    await s.append(s.event("TaskAccepted", { task, stages: [{ name: "convert", label: "Convert", weight: 1 }] }, 1));
    await s.append(s.event("DownloadStarted", {}));
    await s.appendAll([
      s.event("TaskFailed", { error: { code: "STORAGE_ERROR", message: "S3 503", stage: null, recoverable: true }, will_retry: true }),
      s.event("RetryScheduled", { next_attempt: 2, delay_seconds: 1 }),
    ]);

    const acked: string[] = [];
    const ch = { ack: () => void acked.push("ack"), nack: () => void acked.push("nack") } as unknown as Channel;
    const msg = {
      content: Buffer.from(JSON.stringify(task)),
      fields: { routingKey: task.task_type, redelivered: true, exchange: "vision.s3d.tasks" },
      properties: { headers: {} },
    } as unknown as ConsumeMessage;
    const started = Date.now();
    await handleDelivery(
      {
        link,
        host: service.host,
        results: { publish: async () => {} },
        retry: createAmqpRetryScheduler(link, [30]),
        retryDelaysSeconds: [30],
        logger: silentLogger(),
        stopping: new AbortController().signal,
        retryGraceMs: 100,
      },
      ch,
      msg,
    );
    assert.deepEqual(acked, ["ack"], "the copy is acked once the retry is published again");

    const consumer = await conn.createChannel();
    const arrived = await new Promise<TaskMessage | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 8000);
      void consumer.consume(queueForType(task.task_type), (m) => {
        if (!m) return;
        consumer.ack(m);
        const body = JSON.parse(m.content.toString()) as TaskMessage;
        if (body.task_id !== task.task_id) return;
        clearTimeout(timer);
        resolve(body);
      });
    });
    assert.ok(arrived, `attempt 2 reached ${queueForType(task.task_type)} within 8 s (it waited in a TTL queue instead)`);
    assert.equal(arrived.retry.attempt, 2);
    assert.ok(Date.now() - started < 10_000);
  } finally {
    await conn.close().catch(() => {});
    await service.host.shutdown(1000);
    await service.close();
    await vhost.drop();
  }
});
