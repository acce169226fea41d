/** Issue 16, defect 9 (Redis): Redis keeps nothing on disk, and after a restart the last_progress
 * of running tasks stayed missing until each task's next progress. Now the progress projection writes
 * them back as soon as its Redis connection is ready again. And a dead Redis is not hammered: the
 * bus's breaker refuses calls after repeated failures. The outage is a TCP proxy of this test's own
 * (cut, the keys deleted as a restart would lose them, restored); the shared Redis keeps running. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Redis } from "ioredis";
import { TaskStream } from "../../src/actors/task-stream.ts";
import type { TaskEvent } from "../../src/contracts/task-events.ts";
import { openEventStore } from "../../src/infra/event-store/open-event-store.ts";
import { silentLogger } from "../../src/infra/logger.ts";
import { lastProgressKey } from "../../src/infra/progress/progress-keys.ts";
import { createRedisProgressBus } from "../../src/infra/progress/redis-progress-bus.ts";
import { CircuitOpenError } from "../../src/infra/storage/circuit-breaker.ts";
import { startProjections } from "../../src/projections/start-projections.ts";
import { applyTaskEvent, initialTaskSnapshot } from "../../src/machines/task-replay.ts";
import { progressMessageOf } from "../../src/projections/pure/progress.projection.ts";
import { sampleTask } from "../helpers/task-events.ts";
import { REDIS_URL } from "../helpers/amqp.ts";
import { hostPort, startTcpProxy } from "../helpers/tcp-proxy.ts";

const until = async (what: string, ms: number, ok: () => Promise<boolean>) => {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

test("after Redis comes back empty, the last_progress of every running task is written again without new progress; a finished task's is not", { timeout: 60_000 }, async () => {
  const proxy = await startTcpProxy(hostPort(REDIS_URL));
  const store = await openEventStore("memory://", { pollIntervalMs: 50 });
  const bus = createRedisProgressBus({ url: proxy.url(REDIS_URL) });
  const raw = new Redis(REDIS_URL);
  const stop = new AbortController();
  const running = startProjections({
    store,
    checkpoints: store.checkpoints,
    leadership: store.leadership,
    bus,
    logger: silentLogger(),
    signal: stop.signal,
    nodeId: "redis-test",
    initialBackoffMs: 100,
  });
  try {
    const runningTasks = [sampleTask(), sampleTask()];
    const finished = sampleTask();
    for (const task of [...runningTasks, finished]) {
      const s = await TaskStream.open(store, task.task_id);
      const add = (type: TaskEvent["type"], body: Record<string, unknown> = {}) => s.append(s.event<TaskEvent["type"]>(type, body));
      await add("TaskAccepted", { task, stages: [{ name: "s1", label: "Stage one", weight: 1 }] });
      await add("DownloadStarted");
      await add("DownloadCompleted", { size_bytes: 1 });
      await add("SlotGranted", { cpu_percent: 1, ram_bytes: 1, exclusive: false });
      await add("StageStarted", { stage: "s1" });
      await add("ProgressReported", { stage: "s1", done: 3, total: 4 });
      if (task === finished) await add("TaskCancelled", { reason: "test" });
    }
    const keys = [...runningTasks, finished].map((t) => lastProgressKey(t.task_id));
    // Every event handled, the finished task's TaskCancelled included: handled after the outage, it
    // would write that task's key anew (a new fact, not a key brought back).
    const appended = (await store.readAll()).length;
    await until("every event handled", 10_000, () => Promise.resolve(running.stats().find((s) => s.name === "projection:progress")!.handled >= appended));
    await until("every last_progress", 10_000, async () => (await raw.exists(...keys)) === keys.length);
    const before = await Promise.all(runningTasks.map((t) => raw.get(lastProgressKey(t.task_id))));
    const handled = running.stats().find((s) => s.name === "projection:progress")!.handled;

    // A Redis restart: the connection drops and everything it held is gone.
    proxy.cut();
    await raw.del(...keys);
    await new Promise((r) => setTimeout(r, 500));
    proxy.restore();

    await until("the running tasks' last_progress back", 10_000, async () => (await raw.exists(...keys.slice(0, 2))) === 2);
    const after = await Promise.all(runningTasks.map((t) => raw.get(lastProgressKey(t.task_id))));
    assert.deepEqual(after, before, "the same messages as before the restart");
    assert.equal((JSON.parse(after[0]!) as { status: string }).status, "processing");
    assert.ok((await raw.ttl(keys[0]!)) > 3500, "with their TTL");
    assert.equal(await raw.exists(keys[2]!), 0, "a finished task is not brought back");
    assert.equal(running.stats().find((s) => s.name === "projection:progress")!.handled, handled, "no event was needed for it");
  } finally {
    stop.abort();
    await running.done;
    raw.disconnect();
    await bus.close();
    await store.close();
    await proxy.close();
  }
});

test("a dead Redis is not hammered: after 3 failed publishes the bus refuses at once until a trial succeeds", { timeout: 60_000 }, async () => {
  const proxy = await startTcpProxy(hostPort(REDIS_URL));
  const bus = createRedisProgressBus({ url: proxy.url(REDIS_URL), maxRetriesPerRequest: 0, breakerOpenMs: 700 });
  const task = sampleTask();
  const accepted = { type: "TaskAccepted", task_id: task.task_id, attempt: 1, at: new Date().toISOString(), task, stages: [{ name: "s1", label: "S1", weight: 1 }] } as TaskEvent;
  const message = progressMessageOf("queued", applyTaskEvent(initialTaskSnapshot(), accepted).context, new Date())!;
  try {
    await bus.publish(`task:${task.task_id}:progress`, message);
    proxy.cut();
    for (let i = 0; i < 3; i++) await assert.rejects(bus.publish(`task:${task.task_id}:progress`, message));
    assert.equal(bus.breaker.state, "open");
    await assert.rejects(bus.publish(`task:${task.task_id}:progress`, message), CircuitOpenError);
    assert.ok(bus.breaker.stats.refused >= 1);
    proxy.restore();
    await new Promise((r) => setTimeout(r, 2500));
    await bus.publish(`task:${task.task_id}:progress`, message);
    assert.equal(bus.breaker.state, "closed");
  } finally {
    proxy.restore();
    await bus.close();
    await proxy.close();
  }
});
