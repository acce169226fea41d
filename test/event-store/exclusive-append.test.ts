import assert from "node:assert/strict";
import { after, test } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { pgliteSqlClient } from "../../src/infra/event-store/pglite-sql-client.ts";
import type { SqlClient } from "../../src/infra/event-store/sql-client.ts";
import { createSqlEventStore, type SqlEventStore } from "../../src/infra/event-store/sql-event-store.ts";
import { RevisionConflictError } from "../../src/ports/revision-conflict.error.ts";
import { newEvent } from "../contracts/event-store.contract.ts";

// One in-memory database; each case has its own schema. Two stores on one schema stand for what
// the fast path must survive: a writer it does not know of.
let shared: Promise<PGlite> | undefined;
let schemas = 0;
after(async () => {
  if (shared) await (await shared).close();
});

interface Counted {
  client: SqlClient;
  calls: { statements: number; transactions: number };
}

async function countedClient(): Promise<Counted> {
  shared ??= PGlite.create("memory://");
  const real = pgliteSqlClient(await shared);
  const calls = { statements: 0, transactions: 0 };
  return {
    calls,
    client: {
      ...real,
      close: async () => {},
      query: (text, params) => {
        calls.statements += 1;
        return real.query(text, params);
      },
      transaction: (fn) => {
        calls.transactions += 1;
        return real.transaction(fn);
      },
    },
  };
}

async function openPair(): Promise<{ a: SqlEventStore; b: SqlEventStore; aCalls: Counted["calls"] }> {
  const schema = `exclusive_${++schemas}`;
  const first = await countedClient();
  const a = await createSqlEventStore(first.client, { schema, pollIntervalMs: 5000 });
  const b = await createSqlEventStore((await countedClient()).client, { schema, pollIntervalMs: 5000 });
  return { a, b, aCalls: first.calls };
}

void test("PGlite: once a stream's head is known, an append is one statement, not a transaction of four", async () => {
  const { a, b, aCalls } = await openPair();
  try {
    await a.append("task-1", [newEvent("A")], { expectedRevision: "no_stream" });
    const before = { ...aCalls };
    for (let n = 1; n <= 10; n++) await a.append("task-1", [newEvent("Step", { n })], { expectedRevision: n - 1 });
    await a.append("task-2", [newEvent("New")], { expectedRevision: "no_stream" });
    await a.append("task-2", [newEvent("Any")], { expectedRevision: "any" });
    assert.equal(aCalls.transactions - before.transactions, 0);
    assert.equal(aCalls.statements - before.statements, 12);
    assert.deepEqual(
      (await a.readStream("task-1")).map((e) => e.revision),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

void test("PGlite: an append placed on a head another writer has moved gets the answer the database gives, never a second event at a revision", async () => {
  const { a, b } = await openPair();
  try {
    for (let n = 0; n < 3; n++) await a.append("task-1", [newEvent("A", { n })], { expectedRevision: n === 0 ? "no_stream" : n - 1 });
    await b.append("task-1", [newEvent("FromB")], { expectedRevision: 2 });
    // a still believes the head is 2.
    await assert.rejects(a.append("task-1", [newEvent("Stale")], { expectedRevision: 2 }), (error: unknown) => error instanceof RevisionConflictError && error.actual === 3);
    const any = await a.append("task-1", [newEvent("Any")], { expectedRevision: "any" });
    assert.equal(any.nextRevision, 4);
    await b.append("task-9", [newEvent("Made by b")], { expectedRevision: "no_stream" });
    await assert.rejects(a.append("task-9", [newEvent("Also new?")], { expectedRevision: "no_stream" }), (error: unknown) => error instanceof RevisionConflictError && error.actual === 0);
    // a's guess of the last position is stale too: its next appends still take the next positions.
    const next = await a.append("task-1", [newEvent("After")], { expectedRevision: 4 });
    const all = await a.readAll();
    assert.deepEqual(
      all.map((e) => e.position),
      all.map((_, i) => BigInt(i + 1)),
    );
    assert.equal(next.position, all.at(-1)!.position);
    assert.deepEqual(
      (await a.readStream("task-1")).map((e) => e.type),
      ["A", "A", "A", "FromB", "Any", "After"],
    );
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

void test("PGlite: a retried append (same ids) answers the first write's result and stores nothing twice, also right after the fast path wrote it", async () => {
  const { a, b } = await openPair();
  try {
    await a.append("task-1", [newEvent("A")], { expectedRevision: "no_stream" });
    const batch = [newEvent("B"), newEvent("C")];
    const first = await a.append("task-1", batch, { expectedRevision: 0 });
    const again = await a.append("task-1", batch, { expectedRevision: 0 });
    assert.deepEqual(again, first);
    const after = await a.append("task-1", [newEvent("D")], { expectedRevision: 2 });
    assert.equal(after.nextRevision, 3);
    assert.deepEqual(
      (await b.readStream("task-1")).map((e) => e.type),
      ["A", "B", "C", "D"],
    );
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
