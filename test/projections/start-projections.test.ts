import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ProgressMessage } from "../../src/contracts/progress-message.ts";
import type { ResultMessage } from "../../src/contracts/result-message.ts";
import type { TaskEvent } from "../../src/contracts/task-events.ts";
import { TaskStream } from "../../src/actors/task-stream.ts";
import { openEventStore } from "../../src/infra/event-store/open-event-store.ts";
import type { SqlEventStore } from "../../src/infra/event-store/sql-event-store.ts";
import { silentLogger } from "../../src/infra/logger.ts";
import { createInProcessProgressBus } from "../../src/infra/progress/in-process-progress-bus.ts";
import { startProjections } from "../../src/projections/start-projections.ts";
import { sampleTask } from "../helpers/task-events.ts";
import { appendScenario, recordingPublisher, until } from "./task-scenarios.ts";

let store: SqlEventStore;
before(async () => {
  store = await openEventStore("memory://", { pollIntervalMs: 50 });
});
after(() => store.close());

test("a failing results projection is restarted with backoff and no result is lost", async () => {
  const tasks = await Promise.all([appendScenario(store, "completed"), appendScenario(store, "failed-final")]);
  const recorder = recordingPublisher();
  let calls = 0;
  const flaky = {
    async publish(queue: string, message: ResultMessage, id: string) {
      if (++calls <= 2) throw new Error("broker away");
      await recorder.publish(queue, message, id);
    },
  };
  const stop = new AbortController();
  const bus = createInProcessProgressBus();
  const running = startProjections({
    store,
    checkpoints: store.checkpoints,
    leadership: store.leadership,
    bus,
    results: flaky,
    logger: silentLogger(),
    signal: stop.signal,
    nodeId: "n1",
    initialBackoffMs: 50,
  });
  const expected = tasks.flatMap((t) => t.outcomeIds);
  await until("every result after the broker is back", 5000, () => expected.every((id) => recorder.sent.some((s) => s.messageId === id)));
  const results = running.stats().find((p) => p.name === "projection:results")!;
  assert.equal(results.restarts, 2);
  assert.equal(results.lastError, "broker away");
  assert.equal(results.leader, true);
  assert.equal(results.published, expected.length);
  const t0 = Date.now();
  stop.abort();
  await running.done;
  assert.ok(Date.now() - t0 < 1000, "stops promptly on signal");
  assert.ok(running.stats().every((p) => !p.leader));
  await bus.close();
});

test("progress older than the max age is folded but not published; the next fresh event carries it", async () => {
  const task = sampleTask();
  const s = await TaskStream.open(store, task.task_id);
  const add = (type: TaskEvent["type"], body: Record<string, unknown> = {}) => s.append(s.event<TaskEvent["type"]>(type, body));
  const stages = [
    { name: "a", label: "A", weight: 1 },
    { name: "b", label: "B", weight: 1 },
  ];
  await add("TaskAccepted", { task, stages });
  await add("DownloadStarted");
  await add("DownloadCompleted", { size_bytes: 1 });
  await add("SlotGranted", { cpu_percent: 1, ram_bytes: 1, exclusive: false });
  await add("StageStarted", { stage: "a" });
  await add("StageCompleted", { stage: "a", outputs: [] });
  await new Promise((r) => setTimeout(r, 400));

  const bus = createInProcessProgressBus();
  const got: ProgressMessage[] = [];
  await bus.subscribe(`task:${task.task_id}:progress`, (m) => got.push(m));
  const stop = new AbortController();
  const running = startProjections({ store, checkpoints: store.checkpoints, leadership: store.leadership, bus, logger: silentLogger(), signal: stop.signal, nodeId: "n1", progressMaxAgeMs: 300 });
  const head = (await store.readStream(s.streamId, { direction: "backwards", maxCount: 1 }))[0]!.position;
  await until("caught up", 5000, () => (running.stats()[0]!.lastPosition ?? 0n) >= head);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(got.length, 0, "old progress must not be replayed");
  await add("StageStarted", { stage: "b" });
  await until("fresh progress", 3000, () => got.length === 1);
  assert.equal(got[0]!.progress.stage, "b");
  assert.equal(got[0]!.progress.percent, 50, "stage a, folded while catching up, counts");
  stop.abort();
  await running.done;
  await bus.close();
});
