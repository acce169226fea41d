import assert from "node:assert/strict";
import { test } from "node:test";
import { createPendingDeliveries } from "../../src/webhooks/pending-deliveries.ts";

function controlled() {
  const runs: { id: string; finish: (next: number | null) => void }[] = [];
  let changes = 0;
  const pending = createPendingDeliveries({
    concurrency: 1,
    run: (id) => new Promise((resolve) => runs.push({ id, finish: resolve })),
    onFatal: (error) => {
      throw error;
    },
    onChange: () => {
      changes += 1;
    },
  });
  return { pending, runs, changes: () => changes };
}
const tick = () => new Promise((r) => setTimeout(r, 20));

test("the checkpoint stays before the oldest pending result, and moves on once it is finished", async () => {
  const { pending, runs, changes } = controlled();
  pending.add("a", 10n, null);
  pending.add("b", 12n, null);
  assert.equal(pending.lowWater(20n), 9n);
  await tick();
  assert.deepEqual(
    runs.map((r) => r.id),
    ["a"],
    "one at a time (concurrency 1)",
  );
  runs[0]!.finish(null);
  await tick();
  assert.equal(pending.lowWater(20n), 11n);
  assert.equal(changes(), 1);
  runs[1]!.finish(null);
  await tick();
  assert.equal(pending.lowWater(20n), 20n);
  pending.stop();
});

test("a result whose POST ends after stop() stays pending: the checkpoint never passes it", async () => {
  const { pending, runs, changes } = controlled();
  pending.add("a", 10n, null);
  await tick();
  pending.stop();
  runs[0]!.finish(null);
  await tick();
  assert.equal(pending.lowWater(20n), 9n);
  assert.equal(changes(), 0);
});

test("a retry is run again when it is due, not before", async () => {
  const { pending, runs } = controlled();
  pending.add("a", 10n, null);
  await tick();
  runs[0]!.finish(Date.now() + 150);
  await tick();
  assert.equal(runs.length, 1);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(runs.length, 2);
  pending.stop();
});
