import { randomUUID } from "node:crypto";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AppError } from "../../src/contracts/app-error.ts";
import type { EventStore, NewEvent, StoredEvent } from "../../src/ports/event-store.port.ts";
import { RevisionConflictError } from "../../src/ports/revision-conflict.error.ts";

/** Cases an adapter may skip, each with a written reason (STYLE.md §3). */
export type EventStoreContractCase =
  | "append-read"
  | "expected-revision"
  | "concurrent-appenders"
  | "idempotent-retry"
  | "invalid-append"
  | "event-id-across-streams"
  | "read-stream"
  | "read-all"
  | "head-position"
  | "list-streams"
  | "subscribe-catch-up-live"
  | "subscribe-filtered"
  | "subscribe-concurrent-writers"
  | "subscribe-latency"
  | "close";

export interface EventStoreContractOptions {
  skip?: Partial<Record<EventStoreContractCase, string>>;
}

/** Give the store a poll interval of seconds (SQL stores: `pollIntervalMs`), so "subscribe-latency"
 * proves live delivery comes from the store's notifications rather than from polling. */
export type EventStoreFactory = () => Promise<{ store: EventStore; cleanup: () => Promise<void> }>;

export function newEvent(type = "Something", data: unknown = { n: 1 }, metadata: Record<string, unknown> = {}): NewEvent {
  return { id: randomUUID(), type, data, metadata: { correlation_id: "corr-1", causation_id: "cause-1", ...metadata } };
}

const isConflict = (actual: number | "no_stream") => (error: unknown) => error instanceof RevisionConflictError && error.actual === actual;
const isInvalidAppend = (error: unknown) => error instanceof AppError && error.code === "INVALID_APPEND" && !error.recoverable;

/** Takes up to `count` events from a subscription, failing if they do not arrive within `ms`. */
export async function take(iterable: AsyncIterable<StoredEvent>, count: number, ms = 5000): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`only ${out.length}/${count} events within ${ms} ms`)), ms).unref());
  const iterator = iterable[Symbol.asyncIterator]();
  while (out.length < count) {
    const next = await Promise.race([iterator.next(), timer]);
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

export function eventStoreContract(name: string, factory: EventStoreFactory, options: EventStoreContractOptions = {}): void {
  const it = (key: EventStoreContractCase, title: string, body: (store: EventStore) => Promise<void>) => {
    const reason = options.skip?.[key];
    void test(title, reason ? { skip: reason } : {}, async () => {
      const { store, cleanup } = await factory();
      try {
        await body(store);
      } finally {
        await cleanup();
      }
    });
  };

  void describe(`event store contract: ${name}`, () => {
    it("append-read", "an appended event reads back whole: data, metadata, revision, bigint position, createdAt", async (store) => {
      const before = Date.now();
      const event = newEvent(
        "TaskAccepted",
        { task_id: "t1", nested: { list: [1, "two", null, true], n: 1.5 }, text: "é ✓" },
        {
          machine_version: "3",
          extra_key: { deep: [1, 2] },
        },
      );
      const result = await store.append("task-1", [event], { expectedRevision: "no_stream" });
      assert.equal(result.nextRevision, 0);
      assert.equal(typeof result.position, "bigint");
      const [read] = await store.readStream("task-1");
      assert.ok(read);
      assert.deepEqual({ id: read.id, type: read.type, data: read.data, metadata: read.metadata }, event);
      assert.equal(read.streamId, "task-1");
      assert.equal(read.revision, 0);
      assert.equal(read.position, result.position);
      assert.ok(read.createdAt instanceof Date && Math.abs(read.createdAt.getTime() - before) < 60_000);
    });

    it("expected-revision", "expected revisions fence writers: no_stream, stream_exists, any and an exact number", async (store) => {
      await assert.rejects(store.append("s", [newEvent()], { expectedRevision: "stream_exists" }), isConflict("no_stream"));
      await assert.rejects(store.append("s", [newEvent()], { expectedRevision: 0 }), isConflict("no_stream"));
      assert.equal((await store.append("s", [newEvent(), newEvent()], { expectedRevision: "no_stream" })).nextRevision, 1);
      await assert.rejects(store.append("s", [newEvent()], { expectedRevision: "no_stream" }), isConflict(1));
      await assert.rejects(store.append("s", [newEvent()], { expectedRevision: 0 }), isConflict(1));
      await assert.rejects(
        store.append("s", [newEvent()], { expectedRevision: 2 }),
        (e: unknown) => e instanceof RevisionConflictError && e.streamId === "s" && e.expected === 2 && e.actual === 1 && e.code === "REVISION_CONFLICT",
      );
      assert.equal((await store.append("s", [newEvent()], { expectedRevision: 1 })).nextRevision, 2);
      assert.equal((await store.append("s", [newEvent()], { expectedRevision: "stream_exists" })).nextRevision, 3);
      assert.equal((await store.append("s", [newEvent()], { expectedRevision: "any" })).nextRevision, 4);
      assert.equal((await store.append("fresh", [newEvent()], { expectedRevision: "any" })).nextRevision, 0);
      assert.deepEqual(
        (await store.readStream("s")).map((e) => e.revision),
        [0, 1, 2, 3, 4],
      );
    });

    it("concurrent-appenders", "of concurrent appenders with the same expected revision exactly one wins", async (store) => {
      await store.append("race", [newEvent()], { expectedRevision: "no_stream" });
      const attempts = await Promise.allSettled(Array.from({ length: 6 }, () => store.append("race", [newEvent()], { expectedRevision: 0 })));
      const won = attempts.filter((a) => a.status === "fulfilled");
      assert.equal(won.length, 1);
      for (const a of attempts) if (a.status === "rejected") assert.ok(isConflict(1)(a.reason), String(a.reason));
      assert.equal((await store.readStream("race")).length, 2);
    });

    it("idempotent-retry", "re-appending the same batch returns the first result and writes nothing; other overlaps are refused", async (store) => {
      const batch = [newEvent("A"), newEvent("B")];
      const first = await store.append("idem", batch, { expectedRevision: "no_stream" });
      assert.deepEqual(await store.append("idem", batch, { expectedRevision: "no_stream" }), first);
      assert.deepEqual(await store.append("idem", batch, { expectedRevision: "any" }), first);
      const next = [newEvent("C")];
      const second = await store.append("idem", next, { expectedRevision: 1 });
      // Retried after later appends, still with the revision it first expected (as EventStoreDB allows).
      assert.deepEqual(await store.append("idem", next, { expectedRevision: 1 }), second);
      assert.deepEqual(await store.append("idem", batch, { expectedRevision: "no_stream" }), first);
      assert.deepEqual(
        (await store.readStream("idem")).map((e) => e.type),
        ["A", "B", "C"],
      );
      await assert.rejects(store.append("idem", [batch[1]!, newEvent("D")], { expectedRevision: "any" }), isInvalidAppend);
      await assert.rejects(store.append("idem", [batch[1]!, batch[0]!], { expectedRevision: "any" }), isInvalidAppend);
      await assert.rejects(store.append("idem", next, { expectedRevision: 0 }), isConflict(2));
      assert.equal((await store.readAll()).length, 3);
      assert.deepEqual(await store.listStreams(""), ["idem"]);
    });

    it("event-id-across-streams", "an event id already stored in one stream is refused in another", async (store) => {
      const event = newEvent("A");
      await store.append("one", [event], { expectedRevision: "no_stream" });
      await assert.rejects(store.append("other", [event], { expectedRevision: "any" }), isInvalidAppend);
      assert.deepEqual(await store.readStream("other"), []);
    });

    it("invalid-append", "malformed appends are refused with INVALID_APPEND and write nothing", async (store) => {
      await assert.rejects(store.append("bad", [], { expectedRevision: "any" }), isInvalidAppend);
      await assert.rejects(store.append("bad", [{ ...newEvent(), id: "not-a-uuid" }], { expectedRevision: "any" }), isInvalidAppend);
      const twice = newEvent();
      await assert.rejects(store.append("bad", [twice, twice], { expectedRevision: "any" }), isInvalidAppend);
      await assert.rejects(store.append("bad", [newEvent("X", { big: 1n })], { expectedRevision: "any" }), isInvalidAppend);
      assert.deepEqual(await store.readStream("bad"), []);
    });

    it("read-stream", "readStream goes forwards or backwards from a revision, up to maxCount", async (store) => {
      await store.append(
        "r",
        Array.from({ length: 5 }, (_, n) => newEvent(`E${n}`)),
        { expectedRevision: "no_stream" },
      );
      await store.append("other", [newEvent()], { expectedRevision: "no_stream" });
      const revs = (events: StoredEvent[]) => events.map((e) => e.revision);
      assert.deepEqual(revs(await store.readStream("r")), [0, 1, 2, 3, 4]);
      assert.deepEqual(revs(await store.readStream("r", { fromRevision: 2, maxCount: 2 })), [2, 3]);
      assert.deepEqual(revs(await store.readStream("r", { direction: "backwards" })), [4, 3, 2, 1, 0]);
      assert.deepEqual(revs(await store.readStream("r", { direction: "backwards", fromRevision: 3, maxCount: 2 })), [3, 2]);
      assert.deepEqual(revs(await store.readStream("r", { direction: "backwards", maxCount: 1 })), [4]);
      assert.deepEqual(await store.readStream("missing"), []);
    });

    it("read-all", "readAll returns events after a position (exclusive), by stream prefix, up to maxCount", async (store) => {
      await store.append("task-a", [newEvent(), newEvent()], { expectedRevision: "no_stream" });
      await store.append("broker-1", [newEvent()], { expectedRevision: "no_stream" });
      await store.append("task-b", [newEvent()], { expectedRevision: "no_stream" });
      await store.append("taskXc", [newEvent()], { expectedRevision: "no_stream" });
      const all = await store.readAll();
      assert.equal(all.length, 5);
      for (let i = 1; i < all.length; i++) assert.ok(all[i]!.position > all[i - 1]!.position);
      assert.deepEqual(await store.readAll({ after: all[1]!.position }), all.slice(2));
      assert.deepEqual(await store.readAll({ after: all[0]!.position, maxCount: 2 }), all.slice(1, 3));
      assert.deepEqual(
        (await store.readAll({ streamPrefix: "task-" })).map((e) => e.streamId),
        ["task-a", "task-a", "task-b"],
      );
      assert.deepEqual(
        (await store.readAll({ streamPrefix: "task-", after: all[1]!.position })).map((e) => e.streamId),
        ["task-b"],
      );
      assert.deepEqual(await store.readAll({ after: all[4]!.position }), []);
    });

    it("head-position", "headPosition is null for an empty store, then the last event's position", async (store) => {
      assert.equal(await store.headPosition(), null);
      await store.append("task-a", [newEvent(), newEvent()], { expectedRevision: "no_stream" });
      await store.append("broker-1", [newEvent()], { expectedRevision: "no_stream" });
      const all = await store.readAll();
      assert.equal(await store.headPosition(), all.at(-1)!.position);
    });

    it("list-streams", "listStreams lists stream ids with a literal prefix, oldest stream first", async (store) => {
      for (const id of ["task-2", "task-1", "broker-n1", "task_x", "taskAx"]) await store.append(id, [newEvent()], { expectedRevision: "no_stream" });
      await store.append("task-2", [newEvent()], { expectedRevision: 0 });
      assert.deepEqual(await store.listStreams("task-"), ["task-2", "task-1"], "in order of creation, not of id or of last write");
      // "_" and "%" are LIKE wildcards: the prefix must match literally.
      assert.deepEqual(await store.listStreams("task_"), ["task_x"]);
      assert.deepEqual(await store.listStreams("%"), []);
      assert.equal((await store.listStreams("")).length, 5);
    });

    it("subscribe-catch-up-live", "a subscription catches up, then delivers live appends, and ends when aborted", async (store) => {
      await store.append("a", [newEvent("A0"), newEvent("A1")], { expectedRevision: "no_stream" });
      const abort = new AbortController();
      const iterator = store.subscribeToAll({ signal: abort.signal })[Symbol.asyncIterator]();
      const it1 = { [Symbol.asyncIterator]: () => iterator };
      assert.deepEqual(
        (await take(it1, 2)).map((e) => e.type),
        ["A0", "A1"],
      );
      const pending = take(it1, 2);
      await store.append("b", [newEvent("B0")], { expectedRevision: "no_stream" });
      await store.append("a", [newEvent("A2")], { expectedRevision: 1 });
      assert.deepEqual(
        (await pending).map((e) => e.type),
        ["B0", "A2"],
      );
      const waiting = iterator.next();
      abort.abort();
      assert.equal((await waiting).done, true);
    });

    it("subscribe-filtered", "a subscription starts after a position and sees only its stream prefix", async (store) => {
      const first = await store.append("task-1", [newEvent("T0")], { expectedRevision: "no_stream" });
      await store.append("task-1", [newEvent("T1")], { expectedRevision: 0 });
      await store.append("broker-1", [newEvent("B0")], { expectedRevision: "no_stream" });
      const abort = new AbortController();
      const sub = store.subscribeToAll({ after: first.position, streamPrefix: "task-", signal: abort.signal });
      const pending = take(sub, 2);
      await store.append("broker-1", [newEvent("B1")], { expectedRevision: 0 });
      await store.append("task-2", [newEvent("T2")], { expectedRevision: "no_stream" });
      assert.deepEqual(
        (await pending).map((e) => e.type),
        ["T1", "T2"],
      );
      abort.abort();
    });

    it("subscribe-concurrent-writers", "with concurrent writers a subscriber sees every event once, in order", async (store) => {
      const writers = 4;
      const perWriter = 25;
      const abort = new AbortController();
      const seen = take(store.subscribeToAll({ signal: abort.signal }), writers * perWriter, 20_000);
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let n = 0; n < perWriter; n++) {
            await store.append(`w-${w}`, [newEvent("W", { w, n })], { expectedRevision: n === 0 ? "no_stream" : n - 1 });
          }
        }),
      );
      const events = await seen;
      abort.abort();
      assertCompleteAndOrdered(events, writers, perWriter);
    });

    it("subscribe-latency", "a live append reaches a waiting subscriber at once, not at the next poll", async (store) => {
      const abort = new AbortController();
      const sub = store.subscribeToAll({ signal: abort.signal });
      const warm = take(sub, 1);
      await store.append("warm", [newEvent()], { expectedRevision: "no_stream" });
      await warm;
      await new Promise((r) => setTimeout(r, 50)); // let it go idle and wait
      const pending = take(sub, 1);
      const start = performance.now();
      await store.append("hot", [newEvent()], { expectedRevision: "no_stream" });
      await pending;
      abort.abort();
      assert.ok(performance.now() - start < 400, `delivered after ${Math.round(performance.now() - start)} ms`);
    });

    it("close", "close() ends live subscriptions cleanly and refuses further calls", async (store) => {
      await store.append("c", [newEvent()], { expectedRevision: "no_stream" });
      const iterator = store.subscribeToAll()[Symbol.asyncIterator]();
      assert.equal((await iterator.next()).done, false);
      const waiting = iterator.next();
      await store.close();
      assert.equal((await waiting).done, true);
      await assert.rejects(store.readAll(), /closed/);
    });
  });
}

/** Every (writer, n) exactly once, positions strictly increasing, each stream's revisions in order. */
export function assertCompleteAndOrdered(events: StoredEvent[], writers: number, perWriter: number): void {
  assert.equal(events.length, writers * perWriter);
  assert.equal(new Set(events.map((e) => e.id)).size, events.length, "an event was delivered twice");
  const nextRevision = new Map<string, number>();
  for (const [i, event] of events.entries()) {
    if (i > 0) assert.ok(event.position > events[i - 1]!.position, `position ${event.position} after ${events[i - 1]!.position}`);
    const expected = nextRevision.get(event.streamId) ?? 0;
    assert.equal(event.revision, expected, `${event.streamId} revision ${event.revision}, expected ${expected}`);
    nextRevision.set(event.streamId, expected + 1);
  }
  assert.equal(nextRevision.size, writers);
  for (const count of nextRevision.values()) assert.equal(count, perWriter);
}
