import assert from "node:assert/strict";
import { test } from "node:test";
import { connect } from "amqplib";
import { Registry } from "prom-client";
import { openAmqpLink } from "../../../src/infra/amqp/amqp-link.ts";
import { TASKS_EXCHANGE } from "../../../src/infra/amqp/topology.ts";
import { silentLogger } from "../../../src/infra/logger.ts";
import { registerQueueMetrics, watchedQueues } from "../../../src/infra/metrics/queue-metrics.ts";
import { freshVhost } from "../../helpers/amqp.ts";

test("queue depth per class queue from RabbitMQ (checkQueue), consumers counted; no series while the broker is away", { timeout: 60_000 }, async () => {
  const vhost = await freshVhost();
  const link = openAmqpLink({ url: vhost.url, logger: silentLogger(), retryDelaysSeconds: [5, 30] });
  try {
    await link.ready(20_000);
    const registry = new Registry();
    registerQueueMetrics(registry, link, watchedQueues([5, 30]));
    const depth = async () => {
      const [messages, consumers] = await Promise.all(["vs3d_queue_messages", "vs3d_queue_consumers"].map(async (n) => (await registry.getSingleMetric(n)!.get()).values));
      const byQueue = (values: { labels: Record<string, string | number | undefined>; value: number }[]): Record<string, number> =>
        Object.fromEntries(values.map((v) => [String(v.labels.queue), v.value]));
      return { messages: byQueue(messages!), consumers: byQueue(consumers!) };
    };
    const body = Buffer.from("{}");
    for (let i = 0; i < 3; i++) await link.publish(TASKS_EXCHANGE, "image_thumbnail", body, {});
    await link.publish(TASKS_EXCHANGE, "geotiff_cog", body, {});
    const conn = await connect(vhost.url);
    try {
      const ch = await conn.createChannel();
      await ch.consume("tasks.high_priority", () => {}, { noAck: false });
      const d = await depth();
      assert.deepEqual(
        {
          light: d.messages["tasks.light"],
          normal: d.messages["tasks.normal"],
          high: d.messages["tasks.high_priority"],
          dlq: d.messages["tasks.dlq"],
          retry: d.messages["tasks.retry.30s"],
          unrouted: d.messages["tasks.unrouted"],
        },
        { light: 3, normal: 1, high: 0, dlq: 0, retry: 0, unrouted: 0 },
      );
      assert.equal(d.consumers["tasks.high_priority"], 1);
      assert.equal(d.consumers["tasks.light"], 0);
      assert.deepEqual(Object.keys(d.messages).sort(), watchedQueues([5, 30]).sort(), "every watched queue has its series");
    } finally {
      await conn.close();
    }
    await link.close();
    assert.deepEqual(await depth(), { messages: {}, consumers: {} }, "away: absent, not zero");
  } finally {
    await link.close().catch(() => {});
    await vhost.drop();
  }
});
