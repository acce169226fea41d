import type { PGlite } from "@electric-sql/pglite";
import type { SqlClient, SqlExecutor } from "./sql-client.ts";

/** PGlite is one connection: its own mutex serialises queries and transactions, so concurrent
 * appenders interleave as whole transactions. */
export function pgliteSqlClient(db: PGlite): SqlClient {
  const executor = (q: Pick<PGlite, "query">): SqlExecutor => ({
    async query<R extends object>(text: string, params: readonly unknown[] = []) {
      const result = await q.query<R>(text, [...params]);
      return result.rows;
    },
  });
  return {
    ...executor(db),
    // PGlite runs each transaction exclusively (its own mutex): nothing interleaves with an append.
    transaction: (fn) => db.transaction((tx) => fn(executor(tx))),
    exclusiveTransactions: true,
    listen: async (channel, onNotify) => {
      const unlisten = await db.listen(channel, onNotify);
      return () => unlisten();
    },
    close: () => db.close(),
  };
}
