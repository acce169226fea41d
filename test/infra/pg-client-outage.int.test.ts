/** Found while measuring issue 16's PostgreSQL outage: a server that went away between two statements
 * of a transaction made the checked-out pg client emit an 'error' nobody handled — the process died.
 * Now the transaction fails and the process lives. (A TCP proxy of this test's own is cut.) */
import assert from "node:assert/strict";
import { test } from "node:test";
import { pgSqlClient } from "../../src/infra/event-store/pg-sql-client.ts";
import { POSTGRES_URL } from "../event-store/postgres-server.ts";
import { hostPort, startTcpProxy } from "../helpers/tcp-proxy.ts";

test("the connection drops mid-transaction: the transaction rejects, nothing reaches the process, the client works again after", { timeout: 30_000 }, async () => {
  const proxy = await startTcpProxy(hostPort(POSTGRES_URL));
  const client = pgSqlClient({ connectionString: proxy.url(POSTGRES_URL), maxConnections: 2 });
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on("uncaughtException", onUncaught);
  try {
    await assert.rejects(
      client.transaction(async (tx) => {
        await tx.query("SELECT 1");
        proxy.cut();
        await new Promise((r) => setTimeout(r, 300));
        await tx.query("SELECT 1");
      }),
    );
    proxy.restore();
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(uncaught, [], "no error event went unhandled");
    assert.deepEqual(await client.query<{ n: number }>("SELECT 1::int AS n"), [{ n: 1 }]);
  } finally {
    process.off("uncaughtException", onUncaught);
    proxy.restore();
    await client.close();
    await proxy.close();
  }
});
