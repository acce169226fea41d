import assert from "node:assert/strict";
import { test } from "node:test";
import { retryDelayMs } from "../../src/webhooks/retry-schedule.ts";

const S = { maxAttempts: 5, baseMs: 1000, maxMs: 6000 };

test("delays double per failure, capped, with jitter between half and the whole step", () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((n) => retryDelayMs(n, S, 0)),
    [500, 1000, 2000, 3000],
  );
  assert.deepEqual(
    [1, 2, 3, 4].map((n) => retryDelayMs(n, S, 0.999999)),
    [1000, 2000, 4000, 6000],
  );
  assert.equal(retryDelayMs(2, S, 0.5), 1500);
});

test("the last attempt has no retry: the number of POSTs is bounded", () => {
  assert.equal(retryDelayMs(5, S, 0.5), null);
  assert.equal(retryDelayMs(9, S, 0.5), null);
  assert.equal(retryDelayMs(1, { ...S, maxAttempts: 1 }, 0.5), null);
});
