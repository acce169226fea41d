import { before } from "node:test";
import { createPostgresEventStore } from "../../src/infra/event-store/postgres-event-store.ts";
import { eventStoreContract } from "../contracts/event-store.contract.ts";
import { assertPostgresReachable, dropSchema, POSTGRES_URL, randomSchema } from "./postgres-server.ts";

before(assertPostgresReachable);

eventStoreContract("PostgreSQL server", async () => {
  const schema = randomSchema("contract");
  const store = await createPostgresEventStore({ connectionString: POSTGRES_URL, schema, pollIntervalMs: 5000 });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
});
