import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { Redis } from "ioredis";
import { TaskStream } from "../../src/actors/task-stream.ts";
import type { ProgressMessage } from "../../src/contracts/progress-message.ts";
import type { TaskEvent } from "../../src/contracts/task-events.ts";
import { createPostgresEventStore } from "../../src/infra/event-store/postgres-event-store.ts";
import { silentLogger } from "../../src/infra/logger.ts";
import { lastProgressKey } from "../../src/infra/progress/progress-keys.ts";
import { createRedisProgressBus } from "../../src/infra/progress/redis-progress-bus.ts";
import { startProjections } from "../../src/projections/start-projections.ts";
import { sampleTask } from "../helpers/task-events.ts";
import { assertPostgresReachable, dropSchema, POSTGRES_URL, randomSchema } from "../event-store/postgres-server.ts";
import { appendScenario, recordingPublisher, until } from "./task-scenarios.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const schemas: string[] = [];
before(assertPostgresReachable);
after(async () => {
  for (const s of schemas) await dropSchema(s);
});

/** A node: its own store connection (and lock connection), bus and projections. */
async function startNode(schema: string, nodeId: string) {
  const store = await createPostgresEventStore({ connectionString: POSTGRES_URL, schema, maxConnections: 3, pollIntervalMs: 200, leadership: { retryIntervalMs: 100, heartbeatIntervalMs: 500 } });
  const bus = createRedisProgressBus({ url: REDIS_URL });
  const results = recordingPublisher();
  const stop = new AbortController();
  const running = startProjections({
    store,
    checkpoints: store.checkpoints,
    leadership: store.leadership,
    bus,
    results,
    logger: silentLogger(),
    signal: stop.signal,
    nodeId,
    resultsCheckpointEveryEvents: 1,
  });
  let stopping: Promise<void> | null = null;
  return {
    store,
    results,
    running,
    stop: () =>
      (stopping ??= (async () => {
        stop.abort();
        await running.done;
        await Promise.all([store.close(), bus.close()]);
      })()),
  };
}

test("progress reaches Redis throttled: stage changes and the final state always, the last one kept for 1 h", async () => {
  const schema = randomSchema("progress");
  schemas.push(schema);
  const node = await startNode(schema, "node-a");
  const listener = createRedisProgressBus({ url: REDIS_URL });
  const raw = new Redis(REDIS_URL);
  try {
    const task = sampleTask();
    const got: ProgressMessage[] = [];
    await listener.subscribe(`task:${task.task_id}:progress`, (m) => got.push(m));
    const s = await TaskStream.open(node.store, task.task_id);
    const add = (type: TaskEvent["type"], body: Record<string, unknown> = {}) => s.append(s.event<TaskEvent["type"]>(type, body));
    const stages = [
      { name: "s1", label: "Stage one", weight: 1 },
      { name: "s2", label: "Stage two", weight: 1 },
    ];
    const output = (n: string) => ({ path: n, type: "image", format: "webp", key: `k/${n}`, size_bytes: 1, content_type: "image/webp" });
    const started = Date.now();
    await add("TaskAccepted", { task, stages });
    await add("DownloadStarted");
    await add("DownloadCompleted", { size_bytes: 1 });
    await add("SlotGranted", { cpu_percent: 1, ram_bytes: 1, exclusive: false });
    await add("StageStarted", { stage: "s1" });
    for (let done = 1; done <= 15; done++) await add("ProgressReported", { stage: "s1", done, total: 16 });
    await add("StageCompleted", { stage: "s1", outputs: [output("a")] });
    await add("StageStarted", { stage: "s2" });
    await add("StageCompleted", { stage: "s2", outputs: [output("b")] });
    await add("UploadCompleted", { outputs: [output("a"), output("b")] });
    await add("TaskCompleted", { duration_seconds: 1 });
    assert.ok(Date.now() - started < 1900, "the burst must fit in one throttle window for this test to mean anything");

    await until("the completed message", 5000, () => got.some((m) => m.status === "completed"));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      got.map((m) => [m.status, m.progress.stage]),
      [
        ["queued", null],
        ["downloading", null],
        ["waiting_for_slot", null],
        ["processing", null],
        ["processing", "s1"], // the 15 progress reports inside 2 s of it are held back
        ["processing", "s2"],
        ["uploading", "s2"],
        ["completed", null],
      ],
    );
    assert.equal(got.at(-1)!.progress.percent, 100);
    assert.deepEqual(await listener.last(task.task_id), got.at(-1));
    const ttl = await raw.ttl(lastProgressKey(task.task_id));
    assert.ok(ttl > 3590 && ttl <= 3600, `TTL ${ttl}`);
    assert.equal(node.running.stats().find((p) => p.name === "projection:progress")?.published, 8);
  } finally {
    raw.disconnect();
    await listener.close();
    await node.stop();
  }
});

test("two nodes on one store: only the leader publishes results; when it stops the other takes over from its checkpoint", async () => {
  const schema = randomSchema("results");
  schemas.push(schema);
  const [a, b] = [await startNode(schema, "node-a"), await startNode(schema, "node-b")];
  try {
    const tasks = await Promise.all((["completed", "retried-then-completed", "failed-final", "cancelled"] as const).map((s) => appendScenario(a.store, s)));
    const expected = tasks.flatMap((t) => t.outcomeIds);
    const all = () => [...a.results.sent, ...b.results.sent].map((s) => s.messageId);
    await until("every result", 5000, () => expected.every((id) => all().includes(id)));
    await new Promise((r) => setTimeout(r, 300));
    const [leader, follower] = a.results.sent.length > 0 ? [a, b] : [b, a];
    assert.equal(follower.results.sent.length, 0, "the follower published while the leader held the lock");
    assert.deepEqual(leader.results.sent.map((s) => s.messageId).sort(), [...expected].sort());

    await leader.stop();
    const late = await appendScenario(follower.store, "cancelled", sampleTask({ task_id: randomUUID() }));
    const t0 = Date.now();
    await until("the follower takes over", 5000, () => follower.results.sent.length > 0);
    console.log(`results takeover after a clean leader stop: ${Date.now() - t0} ms`);
    assert.deepEqual(
      follower.results.sent.map((s) => s.messageId),
      late.outcomeIds,
      "the new leader resumes after the checkpoint: no re-sends",
    );
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
