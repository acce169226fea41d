import assert from "node:assert/strict";
import { after, test } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { pgliteSqlClient } from "../../src/infra/event-store/pglite-sql-client.ts";
import type { SqlClient } from "../../src/infra/event-store/sql-client.ts";
import { createSqlEventStore } from "../../src/infra/event-store/sql-event-store.ts";
import { eventStoreContract, newEvent, take } from "../contracts/event-store.contract.ts";

// Starting PGlite costs seconds, so the cases share one in-memory database and each gets its own
// schema; the client's close() is a no-op here and the database closes after the suite.
let shared: Promise<PGlite> | undefined;
let schemas = 0;
after(async () => {
  if (shared) await (await shared).close();
});

async function sharedClient(): Promise<SqlClient> {
  shared ??= PGlite.create("memory://");
  return { ...pgliteSqlClient(await shared), close: async () => {} };
}

eventStoreContract("PGlite", async () => {
  const store = await createSqlEventStore(await sharedClient(), { schema: `contract_${++schemas}`, pollIntervalMs: 5000 });
  return { store, cleanup: () => store.close() };
});

void test("a subscriber whose notifications are lost still gets live events from polling", async () => {
  const deaf: SqlClient = { ...(await sharedClient()), listen: () => Promise.resolve(() => Promise.resolve()) };
  const store = await createSqlEventStore(deaf, { schema: "deaf", pollIntervalMs: 100 });
  try {
    const abort = new AbortController();
    const pending = take(store.subscribeToAll({ signal: abort.signal }), 1, 3000);
    await new Promise((r) => setTimeout(r, 50)); // the subscriber is idle, waiting
    await store.append("late", [newEvent("Late")], { expectedRevision: "no_stream" });
    assert.deepEqual(
      (await pending).map((e) => e.type),
      ["Late"],
    );
    abort.abort();
  } finally {
    await store.close();
  }
});
