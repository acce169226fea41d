import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AllStreamResolvedEvent } from "@kurrent/kurrentdb-client";
import { parseConnectionString } from "@kurrent/kurrentdb-client/dist/Client/parseConnectionString.js";
import { AppError } from "../../src/contracts/app-error.ts";
import { matchRetriedBatch } from "../../src/infra/event-store/kurrentdb/kurrentdb-append.ts";
import { isStreamNotFound, translateAppendError } from "../../src/infra/event-store/kurrentdb/kurrentdb-errors.ts";
import { fromCurrentState, fromPosition, strictlyAfter, toEventData, toPosition, toStoredEvent, toStreamState } from "../../src/infra/event-store/kurrentdb/kurrentdb-mapping.ts";
import { distinctStreamIds, isVisible, streamSelection } from "../../src/infra/event-store/kurrentdb/kurrentdb-streams.ts";
import { isKurrentDbUrl, redactUrl, toConnectionString } from "../../src/infra/event-store/kurrentdb/kurrentdb-url.ts";
import { checkLeaseTimings, decideAcquire, selfFenceAt, toLeaseRecord } from "../../src/infra/event-store/kurrentdb/lease-rules.ts";
import { parseCheckpoint, shouldWriteCheckpoint } from "../../src/infra/event-store/kurrentdb/stream-checkpoint-store.ts";
import { RevisionConflictError } from "../../src/ports/revision-conflict.error.ts";
import { newEvent } from "../contracts/event-store.contract.ts";

const isInvalidAppend = (e: unknown) => e instanceof AppError && e.code === "INVALID_APPEND" && !e.recoverable;

describe("KurrentDB expected revisions", () => {
  test("the port's expectations become the client's stream states; a bad number is INVALID_APPEND", () => {
    assert.equal(toStreamState("any"), "any");
    assert.equal(toStreamState("no_stream"), "no_stream");
    assert.equal(toStreamState("stream_exists"), "stream_exists");
    assert.equal(toStreamState(0), 0n);
    assert.equal(toStreamState(41), 41n);
    assert.throws(() => toStreamState(-1), isInvalidAppend);
    assert.throws(() => toStreamState(1.5), isInvalidAppend);
  });

  test("a wrong expected version becomes RevisionConflictError with the actual revision", () => {
    const conflict = translateAppendError("task-1", 2, { type: "wrong-expected-version", expectedState: 2n, actualState: 1n });
    assert.ok(conflict instanceof RevisionConflictError);
    assert.deepEqual([conflict.streamId, conflict.expected, conflict.actual, conflict.code], ["task-1", 2, 1, "REVISION_CONFLICT"]);
    const absent = translateAppendError("task-1", 0, { type: "wrong-expected-version", actualState: "no_stream" });
    assert.ok(absent instanceof RevisionConflictError && absent.actual === "no_stream");
    // Deleted (-5) and tombstoned (-6) streams are "no stream" to a writer.
    assert.equal(fromCurrentState(-5n), "no_stream");
    assert.equal(fromCurrentState(7n), 7);
  });

  test("under 'any' a wrong expected version is a half-repeated batch: INVALID_APPEND, not a conflict", () => {
    assert.ok(isInvalidAppend(translateAppendError("s", "any", { type: "wrong-expected-version", actualState: 3n })));
    assert.ok(isInvalidAppend(translateAppendError("s", 1, { type: "stream-deleted" })));
    assert.ok(isInvalidAppend(translateAppendError("s", 1, { type: "maximum-append-size-exceeded", message: "too big" })));
    const outage = Object.assign(new Error("UnavailableError"), { type: "unavailable" });
    assert.equal(translateAppendError("s", 1, outage), outage, "outages pass through untouched, to be retried");
    assert.equal(isStreamNotFound({ type: "stream-not-found" }), true);
    assert.equal(isStreamNotFound(outage), false);
  });

  test("a server-side idempotent success is accepted only when the same ids sit there in order", () => {
    const batch = [newEvent("A"), newEvent("B")];
    const stored = batch.map((e, i) => ({ ...e, id: e.id.toUpperCase(), streamId: "s", revision: i, position: 100n + BigInt(i), createdAt: new Date() }));
    assert.equal(matchRetriedBatch("s", batch, stored), 101n);
    assert.throws(() => matchRetriedBatch("s", [batch[1]!, batch[0]!], stored), isInvalidAppend);
    assert.throws(() => matchRetriedBatch("s", batch, stored.slice(0, 1)), isInvalidAppend);
  });
});

describe("KurrentDB positions and events", () => {
  test("the bigint position is the commit position; resuming uses {commit, prepare: commit}, beyond 2^53", () => {
    const big = 2n ** 60n + 7n;
    assert.deepEqual(toPosition(big), { commit: big, prepare: big });
    assert.equal(fromPosition({ commit: big, prepare: big }), big);
    assert.throws(() => toPosition(-1n), RangeError);
  });

  const resolved = (over: Record<string, unknown> = {}): AllStreamResolvedEvent => ({
    event: {
      streamId: "task-1",
      id: "5f0c1c9e-3a4b-4c5d-8e6f-7a8b9c0d1e2f",
      isJson: true,
      revision: 3n,
      type: "StageStarted",
      created: new Date("2026-02-28T10:00:00Z"),
      data: { stage: "lod" },
      metadata: { correlation_id: "t1", causation_id: "c1", machine_version: "2" },
      position: { commit: 4242n, prepare: 4242n },
      ...over,
    },
  });

  test("a resolved event reads back as a StoredEvent: number revision, bigint position, metadata, createdAt", () => {
    assert.deepEqual(toStoredEvent(resolved()), {
      id: "5f0c1c9e-3a4b-4c5d-8e6f-7a8b9c0d1e2f",
      type: "StageStarted",
      data: { stage: "lod" },
      metadata: { correlation_id: "t1", causation_id: "c1", machine_version: "2" },
      streamId: "task-1",
      revision: 3,
      position: 4242n,
      createdAt: new Date("2026-02-28T10:00:00Z"),
    });
    assert.equal(toStoredEvent({ commitPosition: 9n }), null, "a link to a deleted event has no record");
    assert.deepEqual(toStoredEvent(resolved({ metadata: undefined }))?.metadata, { correlation_id: "", causation_id: "" });
    assert.throws(() => toStoredEvent(resolved({ position: undefined })), /without a log position/);
    assert.throws(() => toStoredEvent(resolved({ revision: 2n ** 60n })), RangeError);
  });

  test("events are sent as JSON; what cannot be JSON is the caller's INVALID_APPEND", () => {
    const event = newEvent("X", { at: new Date("2026-01-01T00:00:00Z"), skip: undefined });
    const data = toEventData("s", event);
    assert.deepEqual([data.id, data.contentType, data.type], [event.id, "application/json", "X"]);
    assert.deepEqual(data.data, { at: "2026-01-01T00:00:00.000Z" });
    assert.deepEqual(data.metadata, event.metadata);
    assert.throws(() => toEventData("s", newEvent("X", { big: 1n })), isInvalidAppend);
  });

  test("readAll from a position is inclusive on the server: the boundary event is dropped, maxCount kept", () => {
    const at = (p: bigint) => ({ ...newEvent(), streamId: "s", revision: 0, position: p, createdAt: new Date() });
    const read = [at(10n), at(20n), at(30n)];
    assert.deepEqual(
      strictlyAfter(read, 10n, 1).map((e) => e.position),
      [20n],
    );
    assert.deepEqual(
      strictlyAfter(read, undefined, 2).map((e) => e.position),
      [10n, 20n],
    );
    assert.deepEqual(strictlyAfter(read, 30n), []);
  });
});

describe("KurrentDB streams the port sees", () => {
  const root = { namespace: "", internalPrefix: "vs3d-" };
  const ns = { namespace: "t42.", internalPrefix: "vs3d-" };

  test("without a prefix, system streams ($ce-task, $$meta) and bookkeeping streams are hidden", () => {
    const selection = streamSelection(root, undefined);
    assert.ok("regex" in selection);
    const re = new RegExp(selection.regex);
    for (const id of ["task-1", "broker-n1", "vs3", "x$"]) assert.ok(re.test(id) && isVisible(root, id, undefined), id);
    for (const id of ["$ce-task", "$$task-1", "vs3d-checkpoint-results", "vs3d-lease-progress"]) assert.ok(!re.test(id) && !isVisible(root, id, undefined), id);
    assert.ok(isVisible(root, "vs3d-lease-x", "vs3d-"), "asked for by prefix, bookkeeping streams are listed");
  });

  test("a namespace prefixes every server id and confines what is seen", () => {
    assert.deepEqual(streamSelection(ns, "task-"), { prefixes: ["t42.task-"] });
    const selection = streamSelection(ns, "");
    assert.ok("regex" in selection);
    const re = new RegExp(selection.regex);
    assert.ok(re.test("t42.task-1") && !re.test("t42.vs3d-lease-a") && !re.test("t43.task-1") && !re.test("t42Xtask"));
    assert.ok(isVisible(ns, "t42.task-1", "task-") && !isVisible(ns, "task-1", "task-") && !isVisible(ns, "t42.vs3d-x", ""));
    assert.deepEqual(distinctStreamIds(["task-2", "task-1", "task-2"]), ["task-2", "task-1"]);
  });
});

describe("KurrentDB URLs", () => {
  test("kurrentdb://, esdb:// and their +discover forms are routed to the adapter; others are not", () => {
    for (const url of ["kurrentdb://localhost:2113?tls=false", "KurrentDB+discover://c.example:2113", "esdb://a:2113", "esdb+discover://c:2113", "kdb://x:1"]) assert.ok(isKurrentDbUrl(url), url);
    for (const url of ["postgres://h/db", "memory://", "/var/lib/vs3d/events", "kurrentdbx://h", "file:///tmp/x"]) assert.ok(!isKurrentDbUrl(url), url);
  });

  test("the URL is the client's own connection string; esdb:// is renamed so the client does not warn", () => {
    const url = toConnectionString("esdb://admin:changeit@a:2113,b:2114?tls=false&nodePreference=leader");
    assert.equal(url, "kurrentdb://admin:changeit@a:2113,b:2114?tls=false&nodePreference=leader");
    const parsed = parseConnectionString(url);
    assert.deepEqual(parsed.hosts, [
      { address: "a", port: 2113 },
      { address: "b", port: 2114 },
    ]);
    assert.equal(parsed.tls, false);
    assert.deepEqual(parsed.defaultCredentials, { username: "admin", password: "changeit" });
    assert.equal(parseConnectionString(toConnectionString("esdb+discover://c.example:2113")).dnsDiscover, true);
    assert.throws(
      () => toConnectionString("postgres://u:pw@h/db"),
      (e: Error) => /not a KurrentDB connection string/.test(e.message) && !e.message.includes("pw@"),
    );
  });

  test("passwords are masked in messages", () => {
    assert.equal(redactUrl("kurrentdb://admin:s3cret@h:2113?tls=false"), "kurrentdb://admin:***@h:2113?tls=false");
    assert.equal(redactUrl("kurrentdb://h:2113"), "kurrentdb://h:2113");
  });
});

describe("KurrentDB projection bookkeeping rules", () => {
  const held = { revision: 4, type: "LeaseRenewed" as const, holder: "node-a", ttlMs: 1000 };

  test("a free, released or own lease is taken at once, with the revision that fences the write", () => {
    assert.deepEqual(decideAcquire(null, "node-b", undefined, 0), { action: "take", expectedRevision: "no_stream" });
    assert.deepEqual(decideAcquire({ ...held, type: "LeaseReleased" }, "node-b", undefined, 0), { action: "take", expectedRevision: 4 });
    assert.deepEqual(decideAcquire(held, "node-a", undefined, 0), { action: "take", expectedRevision: 4 });
  });

  test("a held lease is taken over only after its revision stood still for its TTL on the contender's clock", () => {
    const first = decideAcquire(held, "node-b", undefined, 5_000);
    assert.deepEqual(first, { action: "wait", observed: { revision: 4, sinceMs: 5_000 } });
    assert.equal(decideAcquire(held, "node-b", { revision: 4, sinceMs: 5_000 }, 5_999).action, "wait");
    assert.deepEqual(decideAcquire(held, "node-b", { revision: 4, sinceMs: 5_000 }, 6_000), { action: "take", expectedRevision: 4 });
    // A renewal (new revision) restarts the wait, whatever the clocks say.
    assert.deepEqual(decideAcquire({ ...held, revision: 5 }, "node-b", { revision: 4, sinceMs: 0 }, 9_999), { action: "wait", observed: { revision: 5, sinceMs: 9_999 } });
  });

  test("the holder stops before any contender may take over; timings that cannot hold are refused", () => {
    assert.equal(selfFenceAt(1_000, 10_000, 2_000), 9_000);
    assert.throws(() => checkLeaseTimings(1_000, 900, 200), RangeError);
    assert.doesNotThrow(() => checkLeaseTimings(10_000, 2_500, 2_000));
    assert.deepEqual(toLeaseRecord({ revision: 2, type: "LeaseAcquired", data: { holder: "n", ttl_ms: 500 } }), { revision: 2, type: "LeaseAcquired", holder: "n", ttlMs: 500 });
    assert.equal(toLeaseRecord({ revision: 2, type: "Other", data: { holder: "n", ttl_ms: 500 } }), null);
    assert.equal(toLeaseRecord({ revision: 2, type: "LeaseRenewed", data: { holder: "n" } }), null);
  });

  test("checkpoints only move forwards and keep full 64-bit precision", () => {
    assert.equal(shouldWriteCheckpoint(null, 0n), true);
    assert.equal(shouldWriteCheckpoint(100n, 40n), false);
    assert.equal(shouldWriteCheckpoint(100n, 100n), false);
    assert.equal(shouldWriteCheckpoint(100n, 101n), true);
    assert.equal(parseCheckpoint({ position: (2n ** 60n + 7n).toString() }), 2n ** 60n + 7n);
    assert.equal(parseCheckpoint({ position: 12 }), null);
    assert.equal(parseCheckpoint(null), null);
  });
});
