import { before } from "node:test";
import pg from "pg";
import { createPostgresEventStore } from "../../src/infra/event-store/postgres-event-store.ts";
import type { SqlEventStore } from "../../src/infra/event-store/sql-event-store.ts";
import { checkpointStoreContract, leadershipContract } from "../contracts/checkpoint-store.contract.ts";
import { assertPostgresReachable, dropSchema, POSTGRES_URL, randomSchema } from "../event-store/postgres-server.ts";

before(assertPostgresReachable);

const open = (schema: string) => createPostgresEventStore({ connectionString: POSTGRES_URL, schema, maxConnections: 2, leadership: { retryIntervalMs: 100, heartbeatIntervalMs: 500 } });

checkpointStoreContract("PostgreSQL server", async () => {
  const schema = randomSchema("ckpt");
  const stores: SqlEventStore[] = [await open(schema)];
  return {
    checkpoints: stores[0]!.checkpoints,
    reopen: async () => {
      const again = await open(schema);
      stores.push(again);
      return again.checkpoints;
    },
    cleanup: async () => {
      await Promise.all(stores.map((s) => s.close()));
      await dropSchema(schema);
    },
  };
});

/** Ends the server session holding a granted advisory lock of this schema's leadership: what the
 * server does when the node holding it dies or its network goes. */
async function terminateLockHolder(schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    const { rowCount } = await admin.query(
      `SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1`,
      [`vs3d-leadership:${schema}`],
    );
    if (rowCount !== 1) throw new Error(`expected one lock holder to terminate, found ${rowCount}`);
  } finally {
    await admin.end();
  }
}

// Two stores on one schema are two nodes: each has its own lock connection.
leadershipContract("PostgreSQL server (advisory locks, two nodes)", async () => {
  const schema = randomSchema("leader");
  const [a, b] = await Promise.all([open(schema), open(schema)]);
  return {
    a: a.leadership,
    b: b.leadership,
    takeoverMs: 1500,
    killA: () => terminateLockHolder(schema),
    closeA: () => a.close(),
    cleanup: async () => {
      await Promise.all([a.close(), b.close()]);
      await dropSchema(schema);
    },
  };
});
