/** Deliver 3 of issue 16: storage that fails transiently is retried, and a dead one is not hammered:
 * s3rver behind a TCP proxy of this test's own, cut and restored. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { AppError } from "../../src/contracts/app-error.ts";
import { withStorageBreaker } from "../../src/infra/storage/resilient-storage.ts";
import { createS3Storage } from "../../src/infra/storage/s3-storage.ts";
import { startS3rver } from "../helpers/s3rver.ts";
import { startTcpProxy } from "../helpers/tcp-proxy.ts";

test("S3 away: after 2 outages in a row calls fail at once (no connection made) with a recoverable STORAGE_ERROR; once it is back the trial call closes the circuit", { timeout: 60_000 }, async () => {
  const s3 = await startS3rver(["b"]);
  const proxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(s3.endpoint).port) });
  const raw = createS3Storage({ ...s3.clientOptions, endpoint: `http://127.0.0.1:${proxy.port}`, maxAttempts: 1 });
  const storage = withStorageBreaker(raw, { failureThreshold: 2, openMs: 800, metadataAttempts: 1 });
  try {
    assert.equal(await storage.head("b", "missing.txt"), null, "a missing object is an answer");
    proxy.cut();
    for (let i = 0; i < 2; i++) {
      await assert.rejects(storage.list("b", "x/"), (e: unknown) => e instanceof AppError && e.code === "STORAGE_ERROR" && e.recoverable);
    }
    assert.equal(storage.breaker.state, "open");
    const tried = proxy.connections;
    const started = Date.now();
    await assert.rejects(storage.head("b", "k"), (e: unknown) => e instanceof AppError && e.code === "STORAGE_ERROR" && e.recoverable && /circuit open/.test(e.message));
    assert.ok(Date.now() - started < 100, "refused at once");
    assert.equal(proxy.connections, tried, "the open circuit made no connection");

    proxy.restore();
    await new Promise((r) => setTimeout(r, 900));
    assert.deepEqual(await storage.list("b", "x/"), [], "the trial call reaches S3 again");
    assert.equal(storage.breaker.state, "closed");
    assert.equal(storage.breaker.stats.opened, 1);
  } finally {
    raw.client.destroy();
    await proxy.close();
    await s3.stop();
  }
});

test("head and list retry a transient failure: an outage shorter than the back-off is not seen by the caller", { timeout: 60_000 }, async () => {
  const s3 = await startS3rver(["b"]);
  const proxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(s3.endpoint).port) });
  const raw = createS3Storage({ ...s3.clientOptions, endpoint: `http://127.0.0.1:${proxy.port}`, maxAttempts: 1 });
  // This case is about the retry: a threshold the retries cannot reach keeps the breaker out of it.
  const storage = withStorageBreaker(raw, { metadataAttempts: 10, retryBaseDelayMs: 200, failureThreshold: 100 });
  try {
    proxy.cut();
    setTimeout(() => proxy.restore(), 400);
    assert.deepEqual(await storage.list("b", "x/"), []);
  } finally {
    raw.client.destroy();
    await proxy.close();
    await s3.stop();
  }
});
