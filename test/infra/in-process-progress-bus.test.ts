import { test } from "node:test";
import assert from "node:assert/strict";
import { createInProcessProgressBus } from "../../src/infra/progress/in-process-progress-bus.ts";
import { progressMessage, testProgressBusContract } from "../contracts/progress-bus.contract.ts";

testProgressBusContract("in-process", {
  create: ({ onError }) => Promise.resolve(createInProcessProgressBus({ onError })),
});

test("the last progress expires after the TTL, like the Redis key", async () => {
  let now = 1_000_000;
  const bus = createInProcessProgressBus({ now: () => now });
  await bus.publish("task:t1:progress", progressMessage("t1", 30));
  now += 3599_000;
  assert.equal((await bus.last("t1"))?.progress.percent, 30);
  now += 1_000;
  assert.equal(await bus.last("t1"), null);
  await bus.close();
});

test("a subscriber cannot change what others or last() see", async () => {
  const bus = createInProcessProgressBus();
  const seen: number[] = [];
  await bus.subscribe("c", (m) => {
    m.progress.percent = 0;
  });
  await bus.subscribe("c", (m) => seen.push(m.progress.percent));
  await bus.publish("c", progressMessage("t2", 64));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen, [64]);
  assert.equal((await bus.last("t2"))?.progress.percent, 64);
  await bus.close();
});
