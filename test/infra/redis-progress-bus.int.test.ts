import { before, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { createRedisProgressBus } from "../../src/infra/progress/redis-progress-bus.ts";
import { lastProgressKey } from "../../src/infra/progress/progress-keys.ts";
import { progressMessage, testProgressBusContract } from "../contracts/progress-bus.contract.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

before(async () => {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let cause = "";
  probe.on("error", (error: Error) => (cause = error.message));
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new Error(`Redis is not reachable at ${REDIS_URL} (${cause || (error as Error).message}). Start one (redis-server) or set REDIS_URL.`);
  } finally {
    probe.disconnect();
  }
});

testProgressBusContract("Redis", {
  create: ({ onError }) => Promise.resolve(createRedisProgressBus({ url: REDIS_URL, onError })),
});

test("the last progress key has a 1 h TTL and is readable from another connection", async () => {
  const bus = createRedisProgressBus({ url: REDIS_URL });
  const reader = createRedisProgressBus({ url: REDIS_URL });
  const raw = new Redis(REDIS_URL);
  try {
    const taskId = randomUUID();
    await bus.publish(`task:${taskId}:progress`, progressMessage(taskId, 33));
    const ttl = await raw.ttl(lastProgressKey(taskId));
    assert.ok(ttl > 3590 && ttl <= 3600, `TTL ${ttl}`);
    assert.deepEqual(await reader.last(taskId), progressMessage(taskId, 33));
  } finally {
    raw.disconnect();
    await Promise.all([bus.close(), reader.close()]);
  }
});

test("a message on the channel that breaks the contract is reported, not delivered", async () => {
  const errors: unknown[] = [];
  const bus = createRedisProgressBus({ url: REDIS_URL, onError: (e) => errors.push(e) });
  const raw = new Redis(REDIS_URL);
  try {
    const channel = `task:${randomUUID()}:progress`;
    const got: unknown[] = [];
    await bus.subscribe(channel, (m) => got.push(m));
    await raw.publish(channel, '{"task_id":"x","progress":"lots"}');
    await raw.publish(channel, JSON.stringify(progressMessage("y", 1)));
    for (let i = 0; i < 40 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(got.length, 1);
    assert.equal(errors.length, 1);
  } finally {
    raw.disconnect();
    await bus.close();
  }
});
