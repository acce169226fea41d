import { test } from "node:test";
import assert from "node:assert/strict";
import { withTransferRetry } from "../../src/infra/storage/transfer-retry.ts";
import { isTransientS3Error } from "../../src/infra/storage/s3-errors.ts";
import { asPromise } from "../../src/shared/as-promise.ts";

const reset = () => Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });

test("a transfer that breaks twice on a socket error succeeds on the third attempt", async () => {
  const attempts: number[] = [];
  const result = await withTransferRetry(
    (n) =>
      asPromise(() => {
        attempts.push(n);
        if (n < 3) throw reset();
        return "done";
      }),
    { attempts: 3, baseDelayMs: 1, isTransient: isTransientS3Error },
  );
  assert.equal(result, "done");
  assert.deepEqual(attempts, [1, 2, 3]);
});

test("a permanent error (access denied) is not retried; attempts run out on persistent breaks", async () => {
  let calls = 0;
  const denied = Object.assign(new Error("Access Denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
  await assert.rejects(
    withTransferRetry(async () => (calls++, Promise.reject(denied)), { baseDelayMs: 1, isTransient: isTransientS3Error }),
    denied,
  );
  assert.equal(calls, 1);
  calls = 0;
  await assert.rejects(
    withTransferRetry(async () => (calls++, Promise.reject(reset())), { attempts: 3, baseDelayMs: 1, isTransient: isTransientS3Error }),
    /ECONNRESET/,
  );
  assert.equal(calls, 3);
});

test("an abort during the back-off stops at once with the abort reason", async () => {
  const controller = new AbortController();
  const reason = new Error("shutdown");
  const started = Date.now();
  const run = withTransferRetry(async () => Promise.reject(reset()), { attempts: 5, baseDelayMs: 60_000, isTransient: () => true, signal: controller.signal });
  setTimeout(() => controller.abort(reason), 20);
  await assert.rejects(run, (e) => e === reason);
  assert.ok(Date.now() - started < 5_000);
});

test("throttling and 5xx are transient; 404 and 403 are not", () => {
  assert.equal(isTransientS3Error({ name: "SlowDown", $metadata: { httpStatusCode: 503 } }), true);
  assert.equal(isTransientS3Error({ name: "InternalError", $metadata: { httpStatusCode: 500 } }), true);
  assert.equal(isTransientS3Error({ name: "NoSuchKey", $metadata: { httpStatusCode: 404 } }), false);
  assert.equal(isTransientS3Error({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } }), false);
});

test("with a time budget (attempts: Infinity) it retries until maxElapsedMs, trying once more at the deadline, then gives up", async () => {
  const started = Date.now();
  let calls = 0;
  await assert.rejects(
    withTransferRetry(async () => (calls++, Promise.reject(reset())), { attempts: Infinity, baseDelayMs: 20, maxDelayMs: 40, maxElapsedMs: 300, isTransient: isTransientS3Error }),
    /ECONNRESET/,
  );
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 290 && elapsed < 1000, `gave up after ${elapsed} ms`);
  assert.ok(calls >= 5, `${calls} tries within the budget`);
});
