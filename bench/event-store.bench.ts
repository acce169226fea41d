/** Appends per second for one writer with batches of 1, on each event store backend.
 * Usage: tsx bench/event-store.bench.ts [appends]   (VS3D_TEST_POSTGRES_URL picks the server) */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openEventStore } from "../src/infra/event-store/open-event-store.ts";
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
const schema = `bench_${randomUUID().slice(0, 8)}`;
await run(
  "postgres server",
  () => openEventStore(POSTGRES_URL, { schema }),
  async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  },
);
