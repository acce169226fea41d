import assert from "node:assert/strict";
import { test } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { pgliteSqlClient } from "../../src/infra/event-store/pglite-sql-client.ts";
import { createSqlEventStore, SQL_EVENT_STORE_DEFAULTS } from "../../src/infra/event-store/sql-event-store.ts";
import { newEvent } from "../contracts/event-store.contract.ts";
import { countingTailQueries } from "./shared-tail.cases.ts";

// Issue 12: PGlite's only writer is this process, so an idle service's subscriptions have nothing
// to poll for; at a 500 ms poll they were its main CPU cost. Every commit still reaches them.
void test("idle subscriptions on PGlite poll every 5 s, not every 500 ms, and still get each append at once", async () => {
  assert.equal(SQL_EVENT_STORE_DEFAULTS.onlyWriterPollIntervalMs, 5000);
  let counted!: ReturnType<typeof countingTailQueries>;
  const db = await PGlite.create("memory://");
  const store = await createSqlEventStore((counted = countingTailQueries(pgliteSqlClient(db))).client, { schema: "idle_polls" });
  const ac = new AbortController();
  try {
    const got: string[][] = [[], [], []];
    const readers = got.map(async (into) => {
      for await (const e of store.subscribeToAll({ signal: ac.signal })) into.push(e.streamId);
    });
    await new Promise((r) => setTimeout(r, 300)); // caught up, waiting
    const before = counted.tailQueries();
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(counted.tailQueries() - before, 0, "no tail query in 2 s of idle (at 500 ms: 4)");
    const t0 = performance.now();
    await store.append("task-a", [newEvent("X")], { expectedRevision: "no_stream" });
    while (got.some((g) => g.length === 0) && performance.now() - t0 < 1000) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(got, [["task-a"], ["task-a"], ["task-a"]], "each subscriber got the append within a second");
    ac.abort();
    await Promise.all(readers);
  } finally {
    ac.abort();
    await store.close();
  }
});
