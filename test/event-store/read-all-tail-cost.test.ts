import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { schemaNames } from "../../src/infra/event-store/event-store.schema.ts";
import { pgliteSqlClient } from "../../src/infra/event-store/pglite-sql-client.ts";
import { readAllQuery } from "../../src/infra/event-store/read-all-query.ts";
import { createSqlEventStore } from "../../src/infra/event-store/sql-event-store.ts";
import { newEvent } from "../contracts/event-store.contract.ts";

interface PlanNode {
  "Actual Rows": number;
  "Actual Loops": number;
  Plans?: PlanNode[];
}

/** Rows produced by every node of the plan: what the read touched, whatever path it took. */
const rowsTouched = (n: PlanNode): number => n["Actual Rows"] * n["Actual Loops"] + (n.Plans ?? []).reduce((s, c) => s + rowsTouched(c), 0);

// Issue 12: a subscriber's tail read of one category walked the whole category (the planner chose
// the stream_id index for the prefix), so each append cost more as the store grew. What a tail read
// touches must not depend on how many events came before it.
void test("a category tail read touches a few rows, in a store of 600 events as in one of 2 400", async () => {
  const db = await PGlite.create("memory://");
  // The store owns the client: its close() closes the database.
  const store = await createSqlEventStore(pgliteSqlClient(db), { schema: "tail_cost" });
  try {
    const names = schemaNames("tail_cost");
    const touched: number[] = [];
    for (const tasks of [20, 80]) {
      while ((await store.listStreams("task-")).length < tasks) {
        const events = Array.from({ length: 30 }, (_, i) => newEvent("X", { i }));
        await store.append(`task-${randomUUID()}`, events, { expectedRevision: "no_stream" });
        await store.append("broker-n", [newEvent("Y")], { expectedRevision: "any" });
      }
      const head = (await store.headPosition())!;
      const opts = { streamPrefix: "task-", after: head - 6n };
      const { text, params } = readAllQuery(names, opts, 500);
      const [row] = (await db.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, params)).rows;
      touched.push(rowsTouched(row!["QUERY PLAN"][0].Plan));
      // The same read through the store gives the 5 task events after the position, in order.
      const page = await store.readAll({ ...opts, maxCount: 500 });
      assert.equal(page.length, 5);
      assert.ok(page.every((e, i) => e.streamId.startsWith("task-") && (i === 0 || e.position > page[i - 1]!.position)));
    }
    // The plan may change with the table's size (index scan or bitmap), so a bound, not equality:
    // a whole-category walk touches every task event (600, then 2 400).
    assert.ok(
      touched.every((n) => n < 50),
      `rows touched by a tail read: ${touched.join(" → ")} as the store grew 5×`,
    );
  } finally {
    await store.close();
  }
});
