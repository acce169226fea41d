/** Issue 16, defects 2 and 4: a task whose callback queue the broker refuses ("amq.evil", a 300-character
 * name) or that names the service's own task queue ("tasks.light") used to stop the results projection
 * for everyone (or bind tasks.light to the results exchange). Now the intake refuses such names, and a
 * stream that has one anyway (written before the rule) is parked in tasks.dlq and counted while every
 * later result still goes out. Real RabbitMQ (a vhost of its own), PGlite in memory. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { connect } from "amqplib";
import { decodeTask } from "../../src/intake/decode-task.ts";
import { createAmqpResultPublisher, PARKED_HEADERS } from "../../src/infra/amqp/amqp-result-publisher.ts";
import { openAmqpLink, type AmqpLink } from "../../src/infra/amqp/amqp-link.ts";
import { DLQ_HEADERS } from "../../src/infra/amqp/dead-letter.ts";
import { openEventStore } from "../../src/infra/event-store/open-event-store.ts";
import type { SqlEventStore } from "../../src/infra/event-store/sql-event-store.ts";
import { silentLogger } from "../../src/infra/logger.ts";
import { createInProcessProgressBus } from "../../src/infra/progress/in-process-progress-bus.ts";
import { startProjections } from "../../src/projections/start-projections.ts";
import { projectionsCheck } from "../../src/service/readiness.ts";
import { freshVhost, platformSide, type PlatformSide } from "../helpers/amqp.ts";
import { sampleTask } from "../helpers/task-events.ts";
import { appendScenario } from "./task-scenarios.ts";

const BAD_QUEUES = ["amq.evil", `vision-s3d.${"x".repeat(290)}`, "tasks.light"];

let vhost: Awaited<ReturnType<typeof freshVhost>>;
let link: AmqpLink;
let platform: PlatformSide;
let store: SqlEventStore;
before(async () => {
  vhost = await freshVhost();
  link = openAmqpLink({ url: vhost.url, logger: silentLogger(), retryDelaysSeconds: [30] });
  await link.ready();
  platform = await platformSide(vhost.url);
  store = await openEventStore("memory://", { pollIntervalMs: 50 });
});
after(async () => {
  await platform.close();
  await link.close();
  await store.close();
  await vhost.drop();
});

test("the intake refuses callback queues outside vision-s3d.* (INVALID_MESSAGE); the default and vision-s3d.* names pass", () => {
  for (const queue of [...BAD_QUEUES, "vision-s3d.", "vision-s3d.a b", "laravel.results"]) {
    const body = { ...sampleTask(), webhook: { callback_queue: queue } };
    const d = decodeTask(Buffer.from(JSON.stringify(body)));
    assert.equal(d.kind, "invalid", queue.slice(0, 40));
    if (d.kind === "invalid") assert.match(d.reason, /webhook\.callback_queue/);
  }
  for (const queue of ["vision-s3d.results", "vision-s3d.results.kit-1", "vision-s3d.tenant_42-results"]) {
    const d = decodeTask(Buffer.from(JSON.stringify({ ...sampleTask(), webhook: { callback_queue: queue } })));
    assert.equal(d.kind, "task", queue);
  }
  const d = decodeTask(Buffer.from(JSON.stringify({ ...sampleTask(), webhook: undefined })));
  assert.equal(d.kind === "task" && d.task.webhook.callback_queue, "vision-s3d.results");
});

test("stored streams with refused callback queues are parked in tasks.dlq and counted; later results of other tasks still go out; tasks.light stays unbound", { timeout: 60_000 }, async () => {
  const poisoned = [];
  for (const queue of BAD_QUEUES) poisoned.push(await appendScenario(store, "completed", sampleTask({ webhook: { callback_queue: queue } })));
  const good = await appendScenario(store, "failed-final", sampleTask({ webhook: { callback_queue: platform.callbackQueue } }));

  const results = createAmqpResultPublisher(link);
  const stop = new AbortController();
  const running = startProjections({
    store,
    checkpoints: store.checkpoints,
    leadership: store.leadership,
    bus: createInProcessProgressBus(),
    results,
    parkResult: (p) => results.park({ queue: p.queue, message: p.message, messageId: p.event.id, reason: p.reason, projection: p.projection }),
    logger: silentLogger(),
    signal: stop.signal,
    nodeId: "poison-test",
    resultsCheckpointEveryEvents: 1,
    initialBackoffMs: 100,
  });
  try {
    const got = await platform.waitForResults(good.task.task_id, (r) => r.length >= 1, 30_000);
    assert.equal(got[0]!.body.status, "failed");

    const ids = new Set(poisoned.map((p) => p.task.task_id));
    const parked = await platform.dlqMessages((m) => ids.has(String(m.properties.headers?.[DLQ_HEADERS.taskId] ?? "")));
    assert.equal(parked.length, BAD_QUEUES.length, "one dead letter per undeliverable result");
    for (const m of parked) {
      const h = m.properties.headers ?? {};
      assert.equal(String(h[PARKED_HEADERS.by]), "projection:results");
      assert.equal(String(h[DLQ_HEADERS.code]), "INVALID_MESSAGE");
      assert.match(String(h[DLQ_HEADERS.reason]), /namespace/);
      const body = JSON.parse(m.content.toString()) as { status: string; task_id: string };
      assert.equal(body.status, "completed", "the result itself is kept for an operator");
      assert.ok(BAD_QUEUES.some((q) => String(h[PARKED_HEADERS.callbackQueue]).startsWith(q.slice(0, 200))));
    }

    const stats = running.stats().find((s) => s.name === "projection:results")!;
    assert.equal(stats.parked, BAD_QUEUES.length);
    assert.equal(stats.restarts, 0, "the projection never had to restart");
    assert.equal(projectionsCheck(running.stats()).ok, true);

    const light = await link.withChannel((ch) => ch.checkQueue("tasks.light"));
    assert.equal(light.messageCount, 0, "no result was routed into the service's own task queue");
    await link.withChannel(async (ch) => {
      ch.publish("vision.s3d.results", "tasks.light", Buffer.from("{}"));
      await ch.waitForConfirms();
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await link.withChannel((ch) => ch.checkQueue("tasks.light"))).messageCount, 0, "tasks.light is not bound to the results exchange");
  } finally {
    stop.abort();
    await running.done;
  }
});

test("a namespaced callback queue the broker refuses to bind (exclusive to another connection: 405) is parked too, with the broker's reason", { timeout: 60_000 }, async () => {
  const conn = await connect(vhost.url);
  const ch = await conn.createChannel();
  const locked = `vision-s3d.locked-${randomUUID()}`;
  await ch.assertQueue(locked, { exclusive: true });
  const poisoned = await appendScenario(store, "completed", sampleTask({ webhook: { callback_queue: locked } }));
  const good = await appendScenario(store, "completed", sampleTask({ webhook: { callback_queue: platform.callbackQueue } }));
  const results = createAmqpResultPublisher(link);
  const stop = new AbortController();
  const running = startProjections({
    store,
    checkpoints: store.checkpoints,
    leadership: store.leadership,
    bus: createInProcessProgressBus(),
    results,
    parkResult: (p) => results.park({ queue: p.queue, message: p.message, messageId: p.event.id, reason: p.reason, projection: p.projection }),
    logger: silentLogger(),
    signal: stop.signal,
    nodeId: "poison-test-2",
    resultsCheckpointEveryEvents: 1,
    initialBackoffMs: 100,
  });
  try {
    await platform.waitForResults(good.task.task_id, (r) => r.length >= 1, 30_000);
    const parked = await platform.dlqMessages((m) => String(m.properties.headers?.[DLQ_HEADERS.taskId] ?? "") === poisoned.task.task_id);
    assert.equal(parked.length, 1);
    assert.match(String(parked[0]!.properties.headers?.[DLQ_HEADERS.reason]), /refused to bind/);
    assert.equal(running.stats().find((s) => s.name === "projection:results")!.restarts, 0);
  } finally {
    stop.abort();
    await running.done;
    await conn.close();
  }
});
