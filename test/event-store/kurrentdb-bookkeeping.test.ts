import { after } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { pgliteSqlClient } from "../../src/infra/event-store/pglite-sql-client.ts";
import { createSqlEventStore } from "../../src/infra/event-store/sql-event-store.ts";
import { createStreamCheckpointStore, type StreamOps } from "../../src/infra/event-store/kurrentdb/stream-checkpoint-store.ts";
import { createStreamLeaseLeadership } from "../../src/infra/event-store/kurrentdb/stream-lease-leadership.ts";
import { checkpointStoreContract, leadershipContract } from "../contracts/checkpoint-store.contract.ts";

// The KurrentDB adapter keeps checkpoints and leases as streams, through nothing but the port's
// append (with expected revisions) and readStream. So the same code runs here over a real PGlite
// event store, and the shared contracts prove its rules without a KurrentDB server; the
// KURRENTDB_URL run (kurrentdb.int.test.ts) repeats them against the server.
let shared: Promise<PGlite> | undefined;
let schemas = 0;
after(async () => {
  if (shared) await (await shared).close();
});

async function openStore() {
  shared ??= PGlite.create("memory://");
  return createSqlEventStore({ ...pgliteSqlClient(await shared), close: async () => {} }, { schema: `kdb_bookkeeping_${++schemas}` });
}

const internalPrefix = "vs3d-";
const LEASE = { ttlMs: 600, heartbeatIntervalMs: 150, marginMs: 150, retryIntervalMs: 50 };

checkpointStoreContract("stream per projection (KurrentDB adapter, over PGlite)", async () => {
  const store = await openStore();
  return {
    checkpoints: createStreamCheckpointStore(store, { internalPrefix }),
    reopen: () => Promise.resolve(createStreamCheckpointStore(store, { internalPrefix })),
    cleanup: () => store.close(),
  };
});

leadershipContract("lease stream (KurrentDB adapter, over PGlite; two nodes)", async () => {
  const store = await openStore();
  // Node a reaches the store through a link that the test can cut, as a network partition would.
  let cut = false;
  const down = () => Promise.reject(new Error("connection lost"));
  const linkA: StreamOps = {
    append: (...args) => (cut ? down() : store.append(...args)),
    readStream: (...args) => (cut ? down() : store.readStream(...args)),
  };
  const a = createStreamLeaseLeadership(linkA, { internalPrefix, ...LEASE });
  const b = createStreamLeaseLeadership(store, { internalPrefix, ...LEASE });
  return {
    a,
    b,
    takeoverMs: 1500,
    killA: () => {
      cut = true;
      return Promise.resolve();
    },
    closeA: () => a.close(),
    cleanup: async () => {
      await Promise.all([a.close(), b.close()]);
      await store.close();
    },
  };
});
