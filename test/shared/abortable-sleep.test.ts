import { test } from "node:test";
import assert from "node:assert/strict";
import { sleep } from "../../src/shared/abortable-sleep.ts";

test("sleep: true after the whole time, false at once when the signal aborts (before or during), never a rejection", async () => {
  const t0 = Date.now();
  assert.equal(await sleep(30), true);
  assert.ok(Date.now() - t0 >= 25, "it waited");

  assert.equal(await sleep(60_000, AbortSignal.abort(new Error("gone"))), false);

  const stop = new AbortController();
  const t1 = Date.now();
  const cut = sleep(60_000, stop.signal);
  setTimeout(() => stop.abort(new Error("stop")), 20);
  assert.equal(await cut, false);
  assert.ok(Date.now() - t1 < 5_000, "it stopped at the abort, not after the full minute");
});
