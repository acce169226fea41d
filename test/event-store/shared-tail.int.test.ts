import { before } from "node:test";
import { pgSqlClient } from "../../src/infra/event-store/pg-sql-client.ts";
import { sharedTailCases } from "./shared-tail.cases.ts";
import { assertPostgresReachable, dropSchema, POSTGRES_URL, randomSchema } from "./postgres-server.ts";

before(assertPostgresReachable);

// Every store has its own pool and LISTEN connection, as a node of its own would.
sharedTailCases(
  "PostgreSQL server",
  {
    client: () => Promise.resolve(pgSqlClient({ connectionString: POSTGRES_URL })),
    newSchema: () => randomSchema("tail"),
    dropSchema,
  },
  { ownAppendsQueryFree: false },
);
