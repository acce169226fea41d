import { test } from "node:test";
import assert from "node:assert/strict";
import { createIoLimiter } from "../../src/infra/storage/io-limiter.ts";

void test("the I/O limiter runs at most maxConcurrent transfers, in arrival order", async () => {
  const io = createIoLimiter({ maxConcurrent: 2 });
  let active = 0;
  let peak = 0;
  const started: number[] = [];
  const job = (i: number) =>
    io.run(async () => {
      started.push(i);
      peak = Math.max(peak, ++active);
      await new Promise((r) => setTimeout(r, 15));
      active--;
      return i;
    });
  assert.deepEqual(await Promise.all([0, 1, 2, 3, 4].map(job)), [0, 1, 2, 3, 4]);
  assert.equal(peak, 2);
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.equal(io.active, 0);
});

void test("a transfer aborted while queued never runs and frees its place; a failing one frees its place too", async () => {
  const io = createIoLimiter({ maxConcurrent: 1 });
  let release!: () => void;
  const first = io.run(
    () =>
      new Promise<void>((r) => {
        release = r;
      }),
  );
  const ac = new AbortController();
  let ran = false;
  const queued = io.run(() => Promise.resolve(void (ran = true)), ac.signal);
  ac.abort(new Error("download cancelled"));
  await assert.rejects(queued, /download cancelled/);
  assert.equal(io.waiting, 0);
  release();
  await first;
  await assert.rejects(
    io.run(() => Promise.reject(new Error("boom"))),
    /boom/,
  );
  assert.equal(await io.run(() => Promise.resolve("next")), "next");
  assert.equal(ran, false);
  assert.throws(() => createIoLimiter({ maxConcurrent: 0 }), RangeError);
});
