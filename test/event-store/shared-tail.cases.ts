import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import type { SqlClient } from "../../src/infra/event-store/sql-client.ts";
import { createSqlEventStore, type SqlEventStore, type SqlEventStoreOptions } from "../../src/infra/event-store/sql-event-store.ts";
import type { ReadAllOptions, StoredEvent } from "../../src/ports/event-store.port.ts";
import { newEvent, take } from "../contracts/event-store.contract.ts";

/** A database to open several stores on: each gets its own client (the store closes it). */
export interface SharedTailBackend {
  client(): Promise<SqlClient>;
  newSchema(): string;
  dropSchema(schema: string): Promise<void>;
}

/** The client with its store-tail queries (readAll's `position > $1`) counted; everything else,
 * and the database under it, is the real one. */
export function countingTailQueries(client: SqlClient): { client: SqlClient; tailQueries: () => number } {
  let count = 0;
  return {
    client: {
      ...client,
      query: <R extends object>(text: string, params?: readonly unknown[]) => {
        if (text.includes("WHERE position > $1")) count += 1;
        return client.query<R>(text, params);
      },
    },
    tailQueries: () => count,
  };
}

/** No LISTEN: as after a lost notification connection, only polling finds new rows. */
const deaf = (client: SqlClient): SqlClient => ({ ...client, listen: () => Promise.resolve(() => Promise.resolve()) });

const ids = (events: readonly StoredEvent[]) => events.map((e) => e.id);

export interface SharedTailCaseOptions {
  /** The store's subscribers read its own appends without a query, always. False where the commit's
   * notification travels on another connection and may beat the append's own reply (a server): a
   * reader it wakes then queries for the rows before the append hands them to the tail. */
  ownAppendsQueryFree: boolean;
}

export function sharedTailCases(name: string, backend: SharedTailBackend, options: SharedTailCaseOptions): void {
  /** Runs `body` with a fresh schema and closes every store it opened. */
  const withSchema = (body: (open: (options?: SqlEventStoreOptions, wrap?: (c: SqlClient) => SqlClient, now?: () => number) => Promise<SqlEventStore>) => Promise<void>) => async () => {
    const schema = backend.newSchema();
    const stores: SqlEventStore[] = [];
    try {
      await body(async (options = {}, wrap = (c) => c, now) => {
        const store = await createSqlEventStore(wrap(await backend.client()), { schema, pollIntervalMs: 5000, ...options }, now ? { now } : {});
        stores.push(store);
        return store;
      });
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await backend.dropSchema(schema);
    }
  };

  void describe(`shared store tail: ${name}`, () => {
    void test(
      "5 subscribers and 40 appends: about one tail query per append, not five, and every subscriber gets every event in order",
      withSchema(async (open) => {
        const appends = 40;
        const subscribers = 5;
        let counted!: ReturnType<typeof countingTailQueries>;
        // Notifications work here, so the age bound only matters to a subscriber that a loaded
        // machine delays past it (it would query again); a long one keeps the count exact.
        const store = await open({ tailCacheMaxAgeMs: 60_000 }, (c) => (counted = countingTailQueries(c)).client);
        await store.append("task-warm", [newEvent("Warm")], { expectedRevision: "no_stream" });
        const head = (await store.headPosition())!;
        const abort = new AbortController();
        const seen = Array.from({ length: subscribers }, () => take(store.subscribeToAll({ after: head, streamPrefix: "task-", signal: abort.signal }), appends, 60_000));
        const before = counted.tailQueries();
        const written: string[] = [];
        for (let n = 0; n < appends; n++) {
          const event = newEvent("Step", { n });
          written.push(event.id);
          await store.append(`task-${n % 3}`, [event], { expectedRevision: "any" });
        }
        const got = await Promise.all(seen);
        abort.abort();
        for (const events of got) assert.deepEqual(ids(events), written);
        const queries = counted.tailQueries() - before;
        // Without the shared tail every subscriber queries for every append: 5 × 40 = 200.
        assert.ok(queries <= appends + subscribers + 2, `${queries} tail queries for ${appends} appends and ${subscribers} subscribers`);
      }),
    );

    void test(
      "a subscriber that hears no notifications still gets an append made by another store instance, at the next poll",
      withSchema(async (open) => {
        const reader = await open({ pollIntervalMs: 200 }, deaf);
        const writer = await open();
        await writer.append("task-1", [newEvent("Early")], { expectedRevision: "no_stream" });
        const head = (await reader.headPosition())!;
        const abort = new AbortController();
        const pending = take(reader.subscribeToAll({ after: head, signal: abort.signal }), 1, 5000);
        // Let the subscriber read (filling the tail) and go idle before the other node writes.
        await new Promise((r) => setTimeout(r, 300));
        await writer.append("task-1", [newEvent("Late")], { expectedRevision: 0 });
        assert.deepEqual(
          (await pending).map((e) => e.type),
          ["Late"],
        );
        abort.abort();
      }),
    );

    void test(
      "with no notification, another node's append shows once the tail is older than its age bound (a simulated clock), and not before",
      withSchema(async (open) => {
        let now = 1_000_000;
        let counted!: ReturnType<typeof countingTailQueries>;
        const reader = await open(
          { tailCacheMaxAgeMs: 100 },
          (c) => (counted = countingTailQueries(deaf(c))).client,
          () => now,
        );
        const writer = await open();
        const first = await writer.append("task-1", [newEvent("A")], { expectedRevision: "no_stream" });
        assert.deepEqual(await reader.readAll({ after: first.position }), []);
        const queries = counted.tailQueries();
        await writer.append("task-1", [newEvent("B")], { expectedRevision: 0 });
        now += 100;
        assert.deepEqual(await reader.readAll({ after: first.position }), [], "within the age bound: answered from memory");
        assert.equal(counted.tailQueries(), queries);
        now += 1;
        assert.deepEqual(
          (await reader.readAll({ after: first.position })).map((e) => e.type),
          ["B"],
        );
        assert.equal(counted.tailQueries(), queries + 1);
      }),
    );

    void test(
      "read-your-writes: a readAll after this store's own append sees it, with no notification and a clock that stands still",
      withSchema(async (open) => {
        const store = await open({}, deaf, () => 0);
        const first = await store.append("task-1", [newEvent("A")], { expectedRevision: "no_stream" });
        assert.deepEqual(await store.readAll({ after: first.position }), []);
        const second = await store.append("task-1", [newEvent("B"), newEvent("C")], { expectedRevision: 0 });
        const read = await store.readAll({ after: first.position });
        assert.deepEqual(
          read.map((e) => e.type),
          ["B", "C"],
        );
        assert.equal(read.at(-1)!.position, second.position);
      }),
    );

    void test(
      "stream prefix and maxCount pages agree with direct queries, across the start of a small tail and while it grows",
      withSchema(async (open) => {
        const cached = await open({ tailCacheSize: 4 }, deaf, () => 0);
        const direct = await open({ tailCacheSize: 0 });
        const streams = ["task-a", "broker-1", "task-b", "taskXc", "task-a"];
        for (let n = 0; n < 20; n++) await cached.append(streams[n % streams.length]!, [newEvent("E", { n })], { expectedRevision: "any" });
        const head = (await direct.headPosition())!;
        // The tail starts in the middle of the log: reads before it go to the database.
        await cached.readAll({ after: head - 6n, maxCount: 1 });
        const afters = [head - 1n, 0n, head - 5n, head, head - 9n, head - 3n, head + 2n, 3n, head - 6n, head - 4n];
        for (const streamPrefix of [undefined, "task-", "broker-", "task", "none-"]) {
          for (const maxCount of [undefined, 1, 2, 3, 7]) {
            for (const after of afters) {
              const opts: ReadAllOptions = { after, ...(streamPrefix === undefined ? {} : { streamPrefix }), ...(maxCount === undefined ? {} : { maxCount }) };
              assert.deepEqual(ids(await cached.readAll(opts)), ids(await direct.readAll(opts)), JSON.stringify({ ...opts, after: String(after) }));
            }
          }
        }
        // Paging as the task index does, with an append between pages: no event skipped or repeated.
        const pages: StoredEvent[] = [];
        let after = 0n;
        for (let n = 0; n < 40; n++) {
          const page = await cached.readAll({ after, streamPrefix: "task-", maxCount: 2 });
          pages.push(...page);
          if (page.length > 0) after = page.at(-1)!.position;
          if (n < 12) await cached.append(streams[n % streams.length]!, [newEvent("F", { n })], { expectedRevision: "any" });
        }
        assert.deepEqual(ids(pages), ids(await direct.readAll({ streamPrefix: "task-" })));
      }),
    );

    void test(
      "this store's own appends reach its subscribers with no tail query, exactly as a database read returns them (key order, ids, timestamps)",
      withSchema(async (open) => {
        let counted!: ReturnType<typeof countingTailQueries>;
        const store = await open({ tailCacheMaxAgeMs: 60_000 }, (c) => (counted = countingTailQueries(c)).client);
        const direct = await open({ tailCacheSize: 0 });
        await store.append("task-warm", [newEvent("Warm")], { expectedRevision: "no_stream" });
        const head = (await store.headPosition())!;
        const abort = new AbortController();
        const iterators = Array.from({ length: 3 }, () => store.subscribeToAll({ after: head, signal: abort.signal })[Symbol.asyncIterator]());
        // Every subscriber has read (filling the tail) and handed over an event before the count
        // starts: a fill still running when an append lands leaves that append to a query.
        const ready = iterators.map((it) => it.next());
        await store.append("task-ready", [newEvent("Ready")], { expectedRevision: "no_stream" });
        await Promise.all(ready);
        const got: StoredEvent[][] = iterators.map(() => []);
        const before = counted.tailQueries();
        const awkward = (n: number) => ({ zeta: n, a: [{ bb: 1, a: 2 }], é: "accent", ab: null, "z\u{1F600}": true, aa: { "10": 1, "9": 2, b: 1.5e-7 }, at: new Date(0), n });
        for (let n = 0; n < 6; n++) {
          await store.append(`task-${n % 2}`, [newEvent("Step", awkward(n), { zz: 1, a: "x" }), newEvent("Next", { n })], { expectedRevision: n < 2 ? "no_stream" : Math.floor(n / 2) * 2 - 1 });
          // Each subscriber takes this append's two events before the next append, so none is
          // reading when the next one lands.
          await Promise.all(iterators.map(async (it, i) => got[i]!.push((await it.next()).value as StoredEvent, (await it.next()).value as StoredEvent)));
        }
        abort.abort();
        const queries = counted.tailQueries() - before;
        if (options.ownAppendsQueryFree) assert.equal(queries, 0);
        else assert.ok(queries <= 6, `${queries} tail queries for 6 appends`);
        const fromDatabase = (await direct.readAll({ after: head })).slice(1);
        const asJson = (events: readonly StoredEvent[]) => JSON.stringify(events, (_, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
        for (const events of got) assert.equal(asJson(events), asJson(fromDatabase));
      }),
    );

    void test(
      "events served from memory are frozen, so one reader cannot change what another reads",
      withSchema(async (open) => {
        const store = await open();
        const first = await store.append(`task-${randomUUID()}`, [newEvent("A", { nested: { n: 1 } })], { expectedRevision: "no_stream" });
        await store.append("task-2", [newEvent("B", { nested: { n: 2 } })], { expectedRevision: "no_stream" });
        const [event] = await store.readAll({ after: first.position });
        assert.ok(event);
        assert.throws(() => {
          (event.data as { nested: { n: number } }).nested.n = 3;
        }, TypeError);
        assert.deepEqual((await store.readAll({ after: first.position }))[0]!.data, { nested: { n: 2 } });
      }),
    );
  });
}
