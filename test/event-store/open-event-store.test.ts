import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, test } from "node:test";
import { openEventStore } from "../../src/infra/event-store/open-event-store.ts";
import { newEvent } from "../contracts/event-store.contract.ts";

const dir = await mkdtemp(join(tmpdir(), "vs3d-event-store-"));
after(() => rm(dir, { recursive: true, force: true }));

void test("a PGlite data directory keeps its streams across restarts (path, then file:// URL)", async () => {
  const dataDir = join(dir, "nested", "events");
  const first = await openEventStore(dataDir);
  const written = await first.append("task-1", [newEvent("TaskAccepted", { task_id: "1" })], { expectedRevision: "no_stream" });
  await first.close();

  const reopened = await openEventStore(pathToFileURL(dataDir).href);
  try {
    const [event] = await reopened.readStream("task-1");
    assert.deepEqual(event?.data, { task_id: "1" });
    assert.equal(event?.position, written.position);
    // The fence survives the restart: the stale expectation loses, the right one continues.
    await assert.rejects(reopened.append("task-1", [newEvent()], { expectedRevision: "no_stream" }), { name: "RevisionConflictError" });
    const next = await reopened.append("task-1", [newEvent("StageStarted")], { expectedRevision: 0 });
    assert.equal(next.nextRevision, 1);
    assert.ok(next.position > written.position);
    assert.deepEqual(await reopened.listStreams("task-"), ["task-1"]);
  } finally {
    await reopened.close();
  }
});

void test("an unreachable kurrentdb:// server fails at open with the URL, password hidden; an unknown scheme is refused", async () => {
  await assert.rejects(openEventStore("kurrentdb://admin:s3cret@127.0.0.1:1?tls=false"), (error: unknown) => {
    assert.ok(error instanceof Error);
    assert.match(error.message, /127\.0\.0\.1:1/);
    assert.doesNotMatch(error.message, /s3cret/);
    return true;
  });
  await assert.rejects(openEventStore("redis://localhost:6379"), /unsupported event store URL scheme redis/);
});

void test("an unreachable PostgreSQL server fails with the URL (password hidden) and the cause", async () => {
  await assert.rejects(openEventStore("postgres://root:s3cret@127.0.0.1:1/test"), (error: unknown) => {
    assert.ok(error instanceof Error);
    assert.match(error.message, /cannot open the PostgreSQL event store at postgres:\/\/root:\*\*\*@127\.0\.0\.1:1\/test: .*ECONNREFUSED/);
    assert.doesNotMatch(error.message, /s3cret/);
    return true;
  });
});

void test("a schema name that is not a plain identifier is refused before any SQL runs", async () => {
  await assert.rejects(openEventStore("postgresql://root@127.0.0.1:1/test", { schema: 'x"; DROP TABLE y; --' }), /invalid event store schema name/);
});
