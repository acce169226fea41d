import { isKurrentDbUrl } from "./kurrentdb/kurrentdb-url.ts";
import { openKurrentDbEventStore } from "./kurrentdb/open-kurrentdb-event-store.ts";
import { createPgliteEventStore } from "./pglite-event-store.ts";
import { createPostgresEventStore } from "./postgres-event-store.ts";
import type { SqlEventStore, SqlEventStoreOptions } from "./sql-event-store.ts";

/** Opens the store a URL names (config: one string picks the backend):
 * `postgres://` / `postgresql://` → a PostgreSQL server; `kurrentdb://`, `kurrentdb+discover://`,
 * `esdb://`, `esdb+discover://` → KurrentDB/EventStoreDB; `memory://` → PGlite in memory;
 * anything else → a PGlite data directory at that path. The store carries the projections'
 * checkpoints and leadership (see ProjectionSupport). */
export async function openEventStore(url: string, options: SqlEventStoreOptions = {}): Promise<SqlEventStore> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === "postgres" || scheme === "postgresql") return createPostgresEventStore({ connectionString: url, ...options });
  if (scheme === "memory") return createPgliteEventStore({ dataDir: "memory://", ...options });
  if (isKurrentDbUrl(url)) {
    return openKurrentDbEventStore(url, options.leaderRetryIntervalMs === undefined ? {} : { leadership: { retryIntervalMs: options.leaderRetryIntervalMs } });
  }
  if (scheme !== undefined && scheme !== "file") throw new Error(`unsupported event store URL scheme ${scheme}://: use postgres://, memory:// or a directory path`);
  return createPgliteEventStore({ dataDir: scheme === "file" ? new URL(url).pathname : url, ...options });
}
