import { DEFAULT_SCHEMA } from "./event-store.schema.ts";
import { createPgAdvisoryLeadership, type PgAdvisoryLeadershipOptions } from "./pg-advisory-leadership.ts";
import { pgSqlClient, type PgSqlClientOptions } from "./pg-sql-client.ts";
import { createSqlEventStore, type SqlEventStore, type SqlEventStoreOptions } from "./sql-event-store.ts";

export interface PostgresEventStoreOptions extends SqlEventStoreOptions, PgSqlClientOptions {
  /** Tuning of the projection locks (retry, heartbeat, timeouts, error hook). */
  leadership?: Omit<PgAdvisoryLeadershipOptions, "connectionString" | "schema">;
}

/** The event store on a PostgreSQL server: several nodes may share one schema; appends are
 * serialised per schema by the store's advisory lock, and projections take turns through session
 * advisory locks on a dedicated connection. */
export async function createPostgresEventStore(options: PostgresEventStoreOptions): Promise<SqlEventStore> {
  const { connectionString, maxConnections, leadership: leadershipOptions, ...storeOptions } = options;
  const client = pgSqlClient({ connectionString, ...(maxConnections === undefined ? {} : { maxConnections }) });
  const leadership = createPgAdvisoryLeadership({
    ...(storeOptions.leaderRetryIntervalMs === undefined ? {} : { retryIntervalMs: storeOptions.leaderRetryIntervalMs }),
    ...leadershipOptions,
    connectionString,
    schema: storeOptions.schema ?? DEFAULT_SCHEMA,
  });
  try {
    return await createSqlEventStore(client, storeOptions, { leadership });
  } catch (error) {
    await leadership.close();
    await client.close().catch(() => {});
    throw new Error(`cannot open the PostgreSQL event store at ${redact(connectionString)}: ${(error as Error).message}`, { cause: error });
  }
}

/** Connection strings may carry a password; error messages end up in logs. */
export function redact(connectionString: string): string {
  return connectionString.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}
