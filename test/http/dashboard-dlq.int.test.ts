import assert from "node:assert/strict";
import { test } from "node:test";
import { connect } from "amqplib";
import { createHttpApp } from "../../src/http/app.ts";
import { dlqAccess } from "../../src/infra/amqp/dlq-access.ts";
import { DLQ_HEADERS } from "../../src/infra/amqp/dead-letter.ts";
import { assertTopology, DLQ, queueForType } from "../../src/infra/amqp/topology.ts";
import { freshVhost } from "../helpers/amqp.ts";
import { startHarness, taskMessage } from "../helpers/embedded-http-harness.ts";

test("dashboard DLQ with RabbitMQ: GET /dlq lists tasks.dlq, POST /tasks/:id/retry republishes that dead letter at its next attempt", { timeout: 60_000 }, async () => {
  const vhost = await freshVhost();
  const conn = await connect(vhost.url);
  const h = await startHarness();
  try {
    const ch = await conn.createChannel();
    await assertTopology(ch, { retryDelaysSeconds: [30, 60] });
    const dead = taskMessage({ retry: { attempt: 3, max_attempts: 3 } });
    const id = dead.task_id as string;
    ch.sendToQueue(DLQ, Buffer.from(JSON.stringify(dead)), {
      headers: { [DLQ_HEADERS.taskId]: id, [DLQ_HEADERS.code]: "INTERNAL", [DLQ_HEADERS.reason]: "out of attempts", [DLQ_HEADERS.at]: new Date().toISOString() },
    });
    await ch.checkQueue(DLQ);
    const app = createHttpApp({ host: h.service.host, store: h.service.store, bus: h.service.bus, readiness: () => Promise.resolve({}), deadLetters: dlqAccess(vhost.url) });

    const listed = (await (await app.request("/dlq")).json()) as { source: string; entries: { task_id: string; code: string; reason: string; replayable: boolean; attempt: number }[] };
    assert.equal(listed.source, "rabbitmq");
    assert.deepEqual(
      listed.entries.map((e) => [e.task_id, e.code, e.reason, e.replayable, e.attempt]),
      [[id, "INTERNAL", "out of attempts", true, 3]],
    );
    assert.equal((await ch.checkQueue(DLQ)).messageCount, 1, "listing leaves the dead letter where it is");

    const retried = await app.request(`/tasks/${id}/retry`, { method: "POST" });
    assert.equal(retried.status, 202);
    assert.deepEqual(await retried.json(), { task_id: id, retry: "requested" });
    assert.equal((await ch.checkQueue(DLQ)).messageCount, 0);
    const requeued = await ch.get(queueForType("image_convert"), { noAck: true });
    assert.ok(requeued, "the task is back in its class queue");
    const body = JSON.parse(requeued.content.toString()) as { task_id: string; retry: { attempt: number } };
    assert.equal(body.task_id, id);
    assert.equal(body.retry.attempt, 4, "as its next attempt, so the stream records a replay");

    assert.equal((await app.request(`/tasks/${id}/retry`, { method: "POST" })).status, 409, "nothing left to replay");
    await ch.close();
  } finally {
    await h.close();
    await conn.close();
    await vhost.drop();
  }
});
