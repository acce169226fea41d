import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createPostgresEventStore } from "../../src/infra/event-store/postgres-event-store.ts";
import type { EventStore } from "../../src/ports/event-store.port.ts";
import { RevisionConflictError } from "../../src/ports/revision-conflict.error.ts";
import { assertCompleteAndOrdered, newEvent, take } from "../contracts/event-store.contract.ts";
import { assertPostgresReachable, dropSchema, POSTGRES_URL, randomSchema } from "./postgres-server.ts";

// Several nodes on one server: each writer is its own store (own pool, own connections), which
// is where a sequence-based position would commit out of order and a subscriber would skip.
const WRITERS = 8;
const APPENDS = 50;
const schema = randomSchema("concurrency");
const stores: EventStore[] = [];

before(assertPostgresReachable);
after(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await dropSchema(schema);
});

void test("stores opened at the same moment on a fresh schema all come up (schema creation is race-free)", async () => {
  stores.push(...(await Promise.all(Array.from({ length: WRITERS + 1 }, () => createPostgresEventStore({ connectionString: POSTGRES_URL, schema, maxConnections: 2 })))));
  assert.equal(stores.length, WRITERS + 1);
});

void test(`${WRITERS} writers × ${APPENDS} appends on separate connections: a live subscriber sees each event once, in order`, async () => {
  const [reader, ...writers] = stores;
  assert.ok(reader && writers.length === WRITERS);
  const abort = new AbortController();
  const seen = take(reader.subscribeToAll({ signal: abort.signal }), WRITERS * APPENDS, 30_000);
  await Promise.all(
    writers.map(async (store, w) => {
      for (let n = 0; n < APPENDS; n++) {
        await store.append(`node-${w}`, [newEvent("W", { w, n })], { expectedRevision: n === 0 ? "no_stream" : n - 1 });
      }
    }),
  );
  const events = await seen;
  abort.abort();
  assertCompleteAndOrdered(events, WRITERS, APPENDS);
  // A late catch-up read agrees with what the live subscriber saw.
  assert.deepEqual(
    (await reader.readAll()).map((e) => e.id),
    events.map((e) => e.id),
  );
});

void test("writers fighting over one stream: every append either lands at the next revision or gets a typed conflict", async () => {
  let landed = 0;
  let conflicts = 0;
  await Promise.all(
    stores.slice(1).map(async (store) => {
      for (let n = 0; n < 10; n++) {
        const [last] = await store.readStream("contended", { direction: "backwards", maxCount: 1 });
        try {
          await store.append("contended", [newEvent()], { expectedRevision: last ? last.revision : "no_stream" });
          landed += 1;
        } catch (error) {
          assert.ok(error instanceof RevisionConflictError, String(error));
          conflicts += 1;
        }
      }
    }),
  );
  const stream = await stores[0]!.readStream("contended");
  assert.equal(stream.length, landed);
  assert.deepEqual(
    stream.map((e) => e.revision),
    stream.map((_, i) => i),
  );
  assert.equal(landed + conflicts, WRITERS * 10);
  assert.ok(conflicts > 0, "expected some writers to lose a race");
});
