import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { openEventStore } from "../../src/infra/event-store/open-event-store.ts";
import type { SqlEventStore } from "../../src/infra/event-store/sql-event-store.ts";
import { silentLogger } from "../../src/infra/logger.ts";
import type { ResultPublisher } from "../../src/ports/result-publisher.port.ts";
import { runResultsProjection } from "../../src/projections/results.projection.ts";
import { sampleTask } from "../helpers/task-events.ts";
import { appendScenario, recordingPublisher, until, type Scenario } from "./task-scenarios.ts";

// One in-memory store for the file (PGlite takes seconds to start); each case uses its own
// checkpoint name, so each reads the whole store from the beginning.
let store: SqlEventStore;
let cases = 0;
before(async () => {
  store = await openEventStore("memory://", { pollIntervalMs: 50 });
});
after(() => store.close());

function run(results: ResultPublisher, options: { name: string; everyEvents?: number }) {
  const stop = new AbortController();
  const done = runResultsProjection({
    store,
    checkpoints: store.checkpoints,
    results,
    logger: silentLogger(),
    signal: stop.signal,
    name: options.name,
    checkpointEveryEvents: options.everyEvents ?? 1,
  });
  return { stop: () => stop.abort(), done };
}

const ALL: Scenario[] = ["completed", "retried-then-completed", "failed-final", "cancelled"];

test("one result per outcome event, message id = event id, to the task's callback queue", async () => {
  const custom = sampleTask({ webhook: { callback_queue: "tenant-42.results" } });
  const tasks = await Promise.all([...ALL.map((s) => appendScenario(store, s)), appendScenario(store, "completed", custom)]);
  const expected = tasks.flatMap((t) => t.outcomeIds);
  const pub = recordingPublisher();
  const p = run(pub, { name: `results-${++cases}` });
  await until("all results", 5000, () => expected.every((id) => pub.sent.some((s) => s.messageId === id)));
  await new Promise((r) => setTimeout(r, 200)); // room for a duplicate to show up
  p.stop();
  await p.done;

  const ours = pub.sent.filter((s) => tasks.some((t) => t.task.task_id === s.taskId));
  assert.deepEqual(ours.map((s) => s.messageId).sort(), [...expected].sort(), "exactly one result per outcome event");
  const byTask = (i: number) => ours.filter((s) => s.taskId === tasks[i]!.task.task_id).map((s) => [s.status, s.willRetry]);
  assert.deepEqual(byTask(0), [["completed", null]]);
  assert.deepEqual(byTask(1), [
    ["failed", true],
    ["completed", null],
  ]);
  assert.deepEqual(byTask(2), [["failed", false]]);
  assert.deepEqual(byTask(3), [["failed", false]]); // cancelled: a failed result with code CANCELLED
  assert.deepEqual(
    ours.filter((s) => s.taskId === custom.task_id).map((s) => s.queue),
    ["tenant-42.results"],
  );
  assert.ok(ours.filter((s) => s.taskId !== custom.task_id).every((s) => s.queue === "vision-s3d.results"));
});

test("a restart resumes after its checkpoint: nothing lost, nothing re-sent", async () => {
  const name = `results-${++cases}`;
  const first = recordingPublisher();
  const before = await appendScenario(store, "failed-final");
  let p = run(first, { name, everyEvents: 1000 });
  await until("first result", 5000, () => first.sent.some((s) => s.messageId === before.outcomeIds[0]));
  p.stop();
  await p.done; // a clean stop saves the pending checkpoint

  const later = await appendScenario(store, "cancelled");
  const second = recordingPublisher();
  p = run(second, { name });
  await until("the new result", 5000, () => second.sent.some((s) => s.messageId === later.outcomeIds[0]));
  p.stop();
  await p.done;
  assert.deepEqual(
    second.sent.map((s) => s.messageId),
    later.outcomeIds,
  );
});

/** Ids of every outcome event in the store after `after`, in position order. */
async function outcomesAfter(after: bigint | null): Promise<string[]> {
  const events = await store.readAll({ streamPrefix: "task-", ...(after === null ? {} : { after }) });
  return events.filter((e) => ["TaskCompleted", "TaskFailed", "TaskCancelled"].includes(e.type)).map((e) => e.id);
}

test("a publish that fails ends the run; the restart re-sends that result only, under the same id", async () => {
  const name = `results-${++cases}`;
  await Promise.all(ALL.map((s) => appendScenario(store, s)));
  const expected = await outcomesAfter(null);
  const failing = recordingPublisher({ failAt: 3 });
  const p = run(failing, { name });
  await assert.rejects(p.done, /confirm/);
  const retry = recordingPublisher();
  const q = run(retry, { name });
  await until("every result", 5000, () => retry.sent.length === expected.length - 2);
  await new Promise((r) => setTimeout(r, 200));
  q.stop();
  await q.done;
  const ids = [...failing.sent, ...retry.sent].map((s) => s.messageId);
  assert.deepEqual(ids, [...expected.slice(0, 3), ...expected.slice(2)], "in order, nothing lost, only the unconfirmed one twice");
});

test("a node that dies mid-publish: its successor re-sends exactly the uncheckpointed tail", async () => {
  const name = `results-${++cases}`;
  await Promise.all(ALL.map((s) => appendScenario(store, s)));
  const expected = await outcomesAfter(null);
  // The first node checkpoints every 2 events and hangs forever in its 4th publish (a dead node).
  let release = () => {};
  const hung = recordingPublisher();
  const dying: ResultPublisher = {
    async publish(queue, message, id) {
      if (hung.sent.length === 3) await new Promise<void>((r) => (release = r));
      await hung.publish(queue, message, id);
    },
  };
  const stop = new AbortController();
  const dead = runResultsProjection({ store, checkpoints: store.checkpoints, results: dying, logger: silentLogger(), signal: stop.signal, name, checkpointEveryEvents: 2, checkpointEveryMs: 60_000 });
  await until("the first node hangs", 5000, () => hung.sent.length === 3);
  await new Promise((r) => setTimeout(r, 50));
  const tail = await outcomesAfter(await store.checkpoints.load(name));

  const successor = recordingPublisher();
  const q = run(successor, { name });
  await until("successor catches up", 5000, () => successor.sent.length >= tail.length);
  await new Promise((r) => setTimeout(r, 200));
  q.stop();
  await q.done;
  assert.deepEqual(
    successor.sent.map((s) => s.messageId),
    tail,
    "the successor sends exactly what follows the checkpoint",
  );
  assert.deepEqual(new Set([...hung.sent, ...successor.sent].map((s) => s.messageId)), new Set(expected), "no result lost");
  stop.abort();
  release();
  await dead;
});
