import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createActor } from "xstate";
import { TaskEvent } from "../../src/contracts/task-events.ts";
import { TASK_STATES, taskMachine } from "../../src/machines/task.machine.ts";
import { accepts, initialTaskSnapshot, applyTaskEvent, replayTask, stateOf } from "../../src/machines/task-replay.ts";
import { candidateEvents, sampleTask } from "../helpers/task-events.ts";

/** Walks the machine: at each step take the `choice`-th of the events it accepts. */
function walk(choices: number[]): TaskEvent[] {
  const task = sampleTask();
  let snapshot = initialTaskSnapshot();
  const events: TaskEvent[] = [];
  let clock = Date.parse("2026-11-22T10:00:00Z");
  for (const choice of choices) {
    clock += 1000;
    const options = candidateEvents(snapshot, task, new Date(clock).toISOString()).filter((e) => accepts(snapshot, e));
    if (options.length === 0) break;
    // Three steps in four move forward (candidates are listed forward-first), so deep states are reached.
    const event = (choice % 4 !== 0 ? options[0] : options[(choice >> 2) % options.length])!;
    events.push(event);
    snapshot = applyTaskEvent(snapshot, event);
  }
  return events;
}

test("replaying the stored stream gives the live actor's state, for random valid event sequences", () => {
  fc.assert(
    fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 60 }), (choices) => {
      const events = walk(choices);
      const actor = createActor(taskMachine).start();
      for (const e of events) actor.send(e);
      const live = actor.getSnapshot();
      // What a store hands back: JSON, validated at the boundary.
      const stored = events.map((e) => TaskEvent.parse(JSON.parse(JSON.stringify(e))));
      const replayed = replayTask(stored);
      assert.equal(replayed.value, live.value);
      assert.deepEqual(replayed.context, live.context);
      actor.stop();
    }),
    { numRuns: 400 },
  );
});

test("random walks pass through every state of the machine", () => {
  const seen = new Set<string>();
  fc.assert(
    fc.property(fc.array(fc.nat(1000), { minLength: 15, maxLength: 40 }), (choices) => {
      const events = walk(choices);
      for (let i = 1; i <= events.length; i++) seen.add(stateOf(replayTask(events.slice(0, i))));
    }),
    // A fixed seed: coverage is a property of this test's walks, not of the day's random numbers.
    { numRuns: 300, seed: 20261122 },
  );
  for (const s of ["queued", "downloading", "waiting_for_slot", "processing", "uploading", "retrying", "completed", "failed", "dead_lettered", "cancelled"]) {
    assert.ok(seen.has(s), `never reached ${s}`);
  }
});

test("a happy path ends completed with the uploaded outputs, and completed stages are not started again", () => {
  const task = sampleTask();
  const at = "2026-11-22T10:00:00Z";
  const base = { task_id: task.task_id, attempt: 1, at };
  const out = { path: "a.webp", type: "thumbnail", format: "webp", key: "k/a.webp", size_bytes: 5, content_type: "image/webp" };
  const stages = [
    { name: "a", label: "A", weight: 1 },
    { name: "b", label: "B", weight: 1 },
  ];
  const events: TaskEvent[] = [
    { type: "TaskAccepted", ...base, task, stages },
    { type: "DownloadStarted", ...base },
    { type: "DownloadCompleted", ...base, size_bytes: 1 },
    { type: "SlotGranted", ...base, cpu_percent: 3, ram_bytes: 1, exclusive: false },
    { type: "StageStarted", ...base, stage: "a" },
    { type: "StageCompleted", ...base, stage: "a", outputs: [out] },
    { type: "TaskInterrupted", ...base, reason: "restart" },
  ];
  let snap = replayTask(events);
  assert.equal(stateOf(snap), "queued");
  assert.equal(accepts(snap, { type: "StageStarted", ...base, stage: "a" }), false);
  for (const e of [
    { type: "DownloadStarted", ...base },
    { type: "DownloadCompleted", ...base, size_bytes: 1 },
    { type: "SlotGranted", ...base, cpu_percent: 3, ram_bytes: 1, exclusive: false },
  ] as TaskEvent[])
    snap = applyTaskEvent(snap, e);
  assert.equal(accepts(snap, { type: "StageStarted", ...base, stage: "a" }), false, "a completed stage is never started again");
  snap = applyTaskEvent(snap, { type: "StageStarted", ...base, stage: "b" });
  snap = applyTaskEvent(snap, { type: "StageCompleted", ...base, stage: "b", outputs: [{ ...out, path: "b.webp", key: "k/b.webp" }] });
  assert.equal(stateOf(snap), "uploading");
  snap = applyTaskEvent(snap, { type: "UploadCompleted", ...base, outputs: [out] });
  snap = applyTaskEvent(snap, { type: "TaskCompleted", ...base, duration_seconds: 2 });
  assert.equal(stateOf(snap), "completed");
  assert.deepEqual(snap.context.stageStarts, { a: 1, b: 1 });
});

test("TASK_STATES lists exactly the machine's states, so the HTTP schemas cannot drift from it", () => {
  assert.deepEqual([...TASK_STATES].sort(), Object.keys(taskMachine.config.states ?? {}).sort());
});
