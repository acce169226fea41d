import pg from "pg";
import type { SqlClient, SqlExecutor } from "./sql-client.ts";

export interface PgSqlClientOptions {
  connectionString: string;
  /** Pool size: concurrent appends and reads each hold one connection. Default: 10. */
  maxConnections?: number;
}

export const PG_SQL_CLIENT_DEFAULTS = { maxConnections: 10 } as const;

/** A pg Pool for queries and transactions, plus one dedicated connection for LISTEN (a pooled
 * connection would drop its LISTENs when it goes back to the pool). */
export function pgSqlClient(options: PgSqlClientOptions): SqlClient {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? PG_SQL_CLIENT_DEFAULTS.maxConnections,
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on("error", () => {});
  const listeners = new Set<pg.Client>();

  const run = async <R extends object>(q: pg.Pool | pg.PoolClient, text: string, params: readonly unknown[] = []) => (await q.query<R & pg.QueryResultRow>(text, [...params])).rows as R[];

  return {
    query: (text, params) => run(pool, text, params),
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const conn = await pool.connect();
      let broken = false;
      // A checked-out client has no pool listener: a server that goes away between two statements
      // would emit an 'error' nobody handles, which ends the process. The next statement fails instead.
      const onError = () => {
        broken = true;
      };
      conn.on("error", onError);
      try {
        await conn.query("BEGIN");
        const result = await fn({ query: (text, params) => run(conn, text, params) });
        await conn.query("COMMIT");
        return result;
      } catch (error) {
        await conn.query("ROLLBACK").catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        conn.off("error", onError);
        conn.release(broken);
      }
    },
    async listen(channel, onNotify) {
      const client = new pg.Client({ connectionString: options.connectionString });
      // A dropped LISTEN connection only costs latency: subscribers also poll.
      client.on("error", () => {});
      client.on("notification", (msg) => {
        if (msg.channel === channel) onNotify(msg.payload ?? "");
      });
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      listeners.add(client);
      return async () => {
        listeners.delete(client);
        await client.end().catch(() => {});
      };
    },
    async close() {
      await Promise.all([...listeners].map((c) => c.end().catch(() => {})));
      listeners.clear();
      await pool.end();
    },
  };
}
