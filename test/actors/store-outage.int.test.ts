/** Issue 16, defect 9 (PostgreSQL): after a PostgreSQL restart 9 of 15 running tasks were interrupted
 * and re-ran their last stage instead of riding out a 2.4 s outage. Now a running worker's appends
 * wait the outage out (retried with backoff, idempotent by event ids) and the task goes on. The outage
 * is a TCP proxy of this test's own in front of the shared server, cut for 2.5 s mid-stage. */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { createPostgresEventStore } from "../../src/infra/event-store/postgres-event-store.ts";
import { withAppendRetry } from "../../src/infra/event-store/append-retry.ts";
import { freshDatabase } from "../helpers/amqp.ts";
import { hostPort, startTcpProxy } from "../helpers/tcp-proxy.ts";
import { startHarness, taskMessage } from "../helpers/embedded-http-harness.ts";
import { randomSchema, dropSchema, POSTGRES_URL } from "../event-store/postgres-server.ts";
import { randomUUID } from "node:crypto";

interface EventRow {
  type: string;
  data: { stage?: string };
}

test("a 2.5 s PostgreSQL outage mid-stage: the running task completes with no interruption, no failure and no stage run twice", { timeout: 120_000 }, async () => {
  const db = await freshDatabase();
  const proxy = await startTcpProxy(hostPort(db.url));
  const h = await startHarness({ env: { EVENT_STORE_URL: proxy.url(db.url), SHUTDOWN_GRACE_SECONDS: "30" } });
  try {
    const ledger = join(h.sandbox.root, "ledger.txt");
    const msg = taskMessage({ params: { stages: 3, stage_ms: 2000, ledger } });
    const taskId = msg.task_id as string;
    assert.equal((await h.post(msg)).status, 202);
    const events = async () => ((await (await h.app.request(`/tasks/${taskId}/events`)).json()) as { events: EventRow[] }).events;
    for (;;) {
      const evs = await events();
      if (evs.some((e) => e.type === "StageStarted" && e.data.stage === "step_1")) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // step_1 ends (StageCompleted, ProgressReported) inside the outage.
    await new Promise((r) => setTimeout(r, 800));
    const before = proxy.connections;
    proxy.cut();
    await new Promise((r) => setTimeout(r, 2500));
    assert.ok(proxy.connections > before, "the service tried to reach the store during the outage");
    proxy.restore();

    const view = await h.waitSettled(taskId, 60_000);
    assert.equal(view.state, "completed", JSON.stringify(view.error));
    const types = (await events()).map((e) => e.type);
    assert.ok(!types.includes("TaskInterrupted"), `no interruption: ${types.join(", ")}`);
    assert.ok(!types.includes("TaskFailed"), "no failure");
    assert.equal(types.filter((t) => t === "StageCompleted").length, 3, "each stage completed once");
    const runs = (await readFile(ledger, "utf8")).trim().split("\n");
    assert.deepEqual(runs, ["step_1", "step_2", "step_3"], "no stage ran twice");
  } finally {
    proxy.restore();
    await h.close();
    await proxy.close();
    await db.drop();
  }
});

test("an outage longer than the retry budget: the run stops, and once the store is back the embedded host resumes the task from its stream to completion", { timeout: 120_000 }, async () => {
  const db = await freshDatabase();
  const proxy = await startTcpProxy(hostPort(db.url));
  const h = await startHarness({ env: { EVENT_STORE_URL: proxy.url(db.url), SHUTDOWN_GRACE_SECONDS: "1" } });
  try {
    const msg = taskMessage({ params: { stages: 2, stage_ms: 1500 } });
    const taskId = msg.task_id as string;
    assert.equal((await h.post(msg)).status, 202);
    const events = async () => ((await (await h.app.request(`/tasks/${taskId}/events`)).json()) as { events: EventRow[] }).events;
    for (;;) {
      if ((await events()).some((e) => e.type === "StageStarted")) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // Long enough for the stage's append and then the failure's own append to give up (1 s each).
    proxy.cut();
    await new Promise((r) => setTimeout(r, 8000));
    proxy.restore();
    const view = await h.waitSettled(taskId, 90_000);
    assert.equal(view.state, "completed", JSON.stringify(view.error));
    const types = (await events()).map((e) => e.type);
    assert.ok(types.includes("TaskInterrupted"), `the resume records the interruption: ${types.join(", ")}`);
  } finally {
    proxy.restore();
    await h.close();
    await proxy.close();
    await db.drop();
  }
});

test("an append whose commit went through but whose answer was lost is retried without writing twice", { timeout: 60_000 }, async () => {
  const schema = randomSchema("appendretry");
  const proxy = await startTcpProxy(hostPort(POSTGRES_URL));
  const raw = await createPostgresEventStore({ connectionString: proxy.url(POSTGRES_URL), schema, maxConnections: 2 });
  let tries = 0;
  // The first try really commits, then the connection dies before the caller hears of it.
  const flaky = {
    ...raw,
    append: async (...args: Parameters<typeof raw.append>) => {
      tries += 1;
      const result = await raw.append(...args);
      if (tries === 1) {
        proxy.cut();
        setTimeout(() => proxy.restore(), 300);
        throw new Error("Connection terminated unexpectedly");
      }
      return result;
    },
  };
  const store = withAppendRetry(flaky, { baseDelayMs: 50 });
  try {
    const stream = `task-${randomUUID()}`;
    const event = { id: randomUUID(), type: "TaskAccepted", data: { n: 1 }, metadata: { correlation_id: "c", causation_id: "c" } };
    const result = await store.append(stream, [event], { expectedRevision: "no_stream" });
    assert.ok(tries >= 2, "retried after the lost answer");
    assert.equal(result.nextRevision, 0);
    const stored = await raw.readStream(stream);
    assert.deepEqual(
      stored.map((e) => e.id),
      [event.id],
      "written once",
    );
  } finally {
    proxy.restore();
    await raw.close();
    await proxy.close();
    await dropSchema(schema);
  }
});
