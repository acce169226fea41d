/** Appends per second for one writer with batches of 1, on each event store backend; then, with 5
 * live subscribers, the store-tail queries per append with the shared tail off and on (issue 12).
 * Usage: tsx bench/event-store.bench.ts [appends]   (VS3D_TEST_POSTGRES_URL picks the server) */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { openEventStore } from "../src/infra/event-store/open-event-store.ts";
import { pgliteSqlClient } from "../src/infra/event-store/pglite-sql-client.ts";
import { pgSqlClient } from "../src/infra/event-store/pg-sql-client.ts";
import type { SqlClient } from "../src/infra/event-store/sql-client.ts";
import { createSqlEventStore } from "../src/infra/event-store/sql-event-store.ts";
import type { EventStore } from "../src/ports/event-store.port.ts";

const APPENDS = Number(process.argv[2] ?? 500);
const POSTGRES_URL = process.env.VS3D_TEST_POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";

async function appendsPerSecond(store: EventStore): Promise<number> {
  const metadata = { correlation_id: "bench", causation_id: "bench" };
  // Warm up: schema caches, JIT.
  for (let n = 0; n < 20; n++) await store.append("warmup", [{ id: randomUUID(), type: "Warm", data: { n }, metadata }], { expectedRevision: "any" });
  const start = performance.now();
  for (let n = 0; n < APPENDS; n++) {
    await store.append("bench-1", [{ id: randomUUID(), type: "ProgressReported", data: { percent: n % 100 }, metadata }], { expectedRevision: n === 0 ? "no_stream" : n - 1 });
  }
  return APPENDS / ((performance.now() - start) / 1000);
}

async function run(label: string, open: () => Promise<EventStore>, cleanup: () => Promise<void> = async () => {}): Promise<void> {
  const store = await open();
  try {
    console.log(`${label.padEnd(22)} ${Math.round(await appendsPerSecond(store))} appends/s (${APPENDS} appends, batch 1, one writer)`);
  } finally {
    await store.close();
    await cleanup();
  }
}

await run("pglite memory://", () => openEventStore("memory://"));
const dir = await mkdtemp(join(tmpdir(), "vs3d-bench-"));
await run(
  "pglite data dir",
  () => openEventStore(join(dir, "db")),
  () => rm(dir, { recursive: true, force: true }),
);
const dropSchema = async (schema: string) => {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
};
const schema = `bench_${randomUUID().slice(0, 8)}`;
await run(
  "postgres server",
  () => openEventStore(POSTGRES_URL, { schema }),
  () => dropSchema(schema),
);

/** 5 subscribers (as the service's projections) follow APPENDS appends of one writer; counts the
 * readAll tail queries (`position > $1`) the store ran and the time until every subscriber had all. */
async function tailQueries(label: string, client: SqlClient, schema: string, tailCacheSize: number): Promise<void> {
  let queries = 0;
  const counting: SqlClient = {
    ...client,
    query: <R extends object>(text: string, params?: readonly unknown[]) => {
      if (text.includes("WHERE position > $1")) queries += 1;
      return client.query<R>(text, params);
    },
  };
  const store = await createSqlEventStore(counting, { schema, tailCacheSize });
  const metadata = { correlation_id: "bench", causation_id: "bench" };
  try {
    await store.append("task-warm", [{ id: randomUUID(), type: "Warm", data: {}, metadata }], { expectedRevision: "no_stream" });
    const after = (await store.headPosition())!;
    const abort = new AbortController();
    const followers = Array.from({ length: 5 }, async () => {
      let seen = 0;
      for await (const _ of store.subscribeToAll({ after, streamPrefix: "task-", signal: abort.signal })) if (++seen === APPENDS) return;
    });
    const before = queries;
    const start = performance.now();
    for (let n = 0; n < APPENDS; n++) await store.append(`task-${n % 10}`, [{ id: randomUUID(), type: "ProgressReported", data: { n }, metadata }], { expectedRevision: "any" });
    await Promise.all(followers);
    const ms = performance.now() - start;
    abort.abort();
    const perAppend = (queries - before) / APPENDS;
    console.log(
      `${label.padEnd(22)} tail ${tailCacheSize > 0 ? "shared " : "per sub"} ${perAppend.toFixed(2)} queries/append, ${(ms / APPENDS).toFixed(2)} ms/append (5 subscribers, ${APPENDS} appends)`,
    );
  } finally {
    await store.close();
  }
}

const lite = await PGlite.create("memory://");
const liteClient: SqlClient = { ...pgliteSqlClient(lite), close: async () => {} };
// Off and on alternate, so a machine that gets busier mid-run does not favour one.
for (const [i, size] of [0, 2000, 0, 2000].entries()) await tailQueries("pglite memory://", liteClient, `tail_${i}`, size);
await lite.close();
for (const size of [0, 2000, 0, 2000]) {
  const pgSchema = `bench_${randomUUID().slice(0, 8)}`;
  await tailQueries("postgres server", pgSqlClient({ connectionString: POSTGRES_URL }), pgSchema, size);
  await dropSchema(pgSchema);
}
