import { after } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { pgliteSqlClient } from "../../src/infra/event-store/pglite-sql-client.ts";
import { createSqlEventStore } from "../../src/infra/event-store/sql-event-store.ts";
import { checkpointStoreContract, leadershipContract } from "../contracts/checkpoint-store.contract.ts";

// Starting PGlite costs seconds: the cases share one in-memory database, a schema each.
let shared: Promise<PGlite> | undefined;
let schemas = 0;
after(async () => {
  if (shared) await (await shared).close();
});

async function openStore(schema: string) {
  shared ??= PGlite.create("memory://");
  return createSqlEventStore({ ...pgliteSqlClient(await shared), close: async () => {} }, { schema, leaderRetryIntervalMs: 50 });
}

checkpointStoreContract("PGlite", async () => {
  const schema = `checkpoints_${++schemas}`;
  const store = await openStore(schema);
  const reopened: { close(): Promise<void> }[] = [];
  return {
    checkpoints: store.checkpoints,
    reopen: async () => {
      const again = await openStore(schema);
      reopened.push(again);
      return again.checkpoints;
    },
    cleanup: async () => {
      await Promise.all([store, ...reopened].map((s) => s.close()));
    },
  };
});

// One process owns a PGlite database, so both contenders are callers of the same store.
leadershipContract("PGlite (in process)", async () => {
  const store = await openStore(`leaders_${++schemas}`);
  return { a: store.leadership, b: store.leadership, takeoverMs: 1000, cleanup: () => store.close() };
});
