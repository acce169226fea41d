import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { Redis } from "ioredis";
import { inMemoryRateLimiter, redisRateLimiter } from "../../src/http/rate-limit.ts";
import { REDIS_URL } from "../helpers/amqp.ts";

test("sliding window in memory: the limit holds inside the window and frees up as it slides", async () => {
  let now = 0;
  const limiter = inMemoryRateLimiter(3, 1000, () => now);
  const verdicts = [];
  for (let i = 0; i < 4; i++) verdicts.push((await limiter.hit("k")).allowed);
  assert.deepEqual(verdicts, [true, true, true, false]);
  now = 500;
  assert.equal((await limiter.hit("other")).allowed, true, "keys are counted apart");
  now = 1001;
  assert.equal((await limiter.hit("k")).allowed, true);
});

test("sliding window in Redis: two nodes share one count, and the refusal says when to retry", async () => {
  const a = new Redis(REDIS_URL);
  const b = new Redis(REDIS_URL);
  try {
    const key = `test-${randomUUID()}`;
    const nodeA = redisRateLimiter(a, 4, 60_000);
    const nodeB = redisRateLimiter(b, 4, 60_000);
    const verdicts = await Promise.all([nodeA, nodeB, nodeA, nodeB, nodeA, nodeB].map((l) => l.hit(key)));
    assert.equal(verdicts.filter((v) => v.allowed).length, 4, "exactly the limit got through across both nodes");
    const refused = verdicts.find((v) => !v.allowed) as { retryAfterSeconds: number };
    assert.ok(refused.retryAfterSeconds >= 59 && refused.retryAfterSeconds <= 60, String(refused.retryAfterSeconds));
    assert.ok((await a.pttl(`vs3d:ratelimit:${key}`)) > 0, "the window's key expires on its own");
  } finally {
    a.disconnect();
    b.disconnect();
  }
});
