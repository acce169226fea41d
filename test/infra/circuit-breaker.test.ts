import assert from "node:assert/strict";
import { test } from "node:test";
import { CircuitOpenError, createCircuitBreaker, type CircuitState } from "../../src/infra/storage/circuit-breaker.ts";

const outage = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
const answer = () => Object.assign(new Error("no such key"), { name: "NoSuchKey" });

test("opens after N outages in a row, refuses calls without making them while open, lets one trial through after openMs", async () => {
  let t = 0;
  const changes: CircuitState[] = [];
  const b = createCircuitBreaker({ name: "dep", failureThreshold: 3, openMs: 1000, isFailure: (e) => (e as Error).name !== "NoSuchKey", now: () => t, onStateChange: (s) => changes.push(s) });
  let calls = 0;
  const failing = () => b.run(async () => (calls++, Promise.reject(outage())));
  for (let i = 0; i < 3; i++) await assert.rejects(failing(), /ECONNREFUSED/);
  assert.equal(b.state, "open");
  await assert.rejects(failing(), CircuitOpenError);
  assert.equal(calls, 3, "the open circuit did not call the dependency");
  assert.equal(b.stats.refused, 1);

  t = 1000;
  assert.equal(b.state, "half_open");
  await assert.rejects(failing(), /ECONNREFUSED/, "the trial call goes through");
  assert.equal(b.state, "open", "a failed trial opens it again");
  await assert.rejects(failing(), CircuitOpenError);
  t = 2100;
  assert.equal(await b.run(() => Promise.resolve("ok")), "ok");
  assert.equal(b.state, "closed");
  assert.deepEqual(changes, ["open", "half_open", "open", "half_open", "closed"]);
});

test("answers (isFailure false) do not count; a success resets the count", async () => {
  const b = createCircuitBreaker({ name: "dep", failureThreshold: 2, openMs: 1000, isFailure: (e) => (e as Error).name !== "NoSuchKey" });
  await assert.rejects(b.run(async () => Promise.reject(outage())));
  await assert.rejects(b.run(async () => Promise.reject(answer())));
  await assert.rejects(b.run(async () => Promise.reject(outage())));
  assert.equal(b.state, "closed", "an answer in between: not two outages in a row");
  await b.run(() => Promise.resolve(1));
  await assert.rejects(b.run(async () => Promise.reject(outage())));
  assert.equal(b.state, "closed");
  await assert.rejects(b.run(async () => Promise.reject(outage())));
  assert.equal(b.state, "open");
});

test("half open: one trial at a time, the others are refused", async () => {
  let t = 0;
  const b = createCircuitBreaker({ name: "dep", failureThreshold: 1, openMs: 10, isFailure: () => true, now: () => t });
  await assert.rejects(b.run(async () => Promise.reject(outage())));
  t = 20;
  let release!: () => void;
  const trial = b.run(() => new Promise<string>((r) => (release = () => r("back"))));
  await assert.rejects(
    b.run(() => Promise.resolve("second")),
    CircuitOpenError,
  );
  release();
  assert.equal(await trial, "back");
  assert.equal(b.state, "closed");
});
