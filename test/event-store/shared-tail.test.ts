import { after } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { pgliteSqlClient } from "../../src/infra/event-store/pglite-sql-client.ts";
import { sharedTailCases } from "./shared-tail.cases.ts";

// One in-memory database for the file (starting PGlite costs seconds); each case has its own
// schema, and the stores' close() leaves the database open for the next.
let shared: Promise<PGlite> | undefined;
let schemas = 0;
const db = () => (shared ??= PGlite.create("memory://"));
after(async () => {
  if (shared) await (await shared).close();
});

sharedTailCases(
  "PGlite",
  {
    client: async () => ({ ...pgliteSqlClient(await db()), close: async () => {} }),
    newSchema: () => `tail_${++schemas}`,
    dropSchema: async (schema) => {
      await (await db()).query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  },
  { ownAppendsQueryFree: true },
);
