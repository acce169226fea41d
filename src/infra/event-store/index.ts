export { createPgliteEventStore, type PgliteEventStoreOptions } from "./pglite-event-store.ts";
export { createPostgresEventStore, type PostgresEventStoreOptions } from "./postgres-event-store.ts";
export { openEventStore } from "./open-event-store.ts";
export {
  createSqlEventStore,
  SQL_EVENT_STORE_DEFAULTS,
  type ProjectionSupport,
  type SqlEventStore,
  type SqlEventStoreOptions,
} from "./sql-event-store.ts";
export { createSqlCheckpointStore } from "./sql-checkpoint-store.ts";
export { createInProcessLeadership, IN_PROCESS_LEADERSHIP_DEFAULTS, type ClosableLeadership, type InProcessLeadershipOptions } from "./in-process-leadership.ts";
export { createPgAdvisoryLeadership, PG_ADVISORY_LEADERSHIP_DEFAULTS, type PgAdvisoryLeadershipOptions } from "./pg-advisory-leadership.ts";
export type { SqlClient, SqlExecutor } from "./sql-client.ts";
export { pgliteSqlClient } from "./pglite-sql-client.ts";
export { pgSqlClient, PG_SQL_CLIENT_DEFAULTS, type PgSqlClientOptions } from "./pg-sql-client.ts";
