import { test } from "node:test";
import assert from "node:assert/strict";
import { createActor, fromPromise } from "xstate";
import { RESTING_STATES, TASK_EFFECTS, taskMachine } from "../../src/machines/task.machine.ts";
import { replayTask } from "../../src/machines/task-replay.ts";
import { sampleTask } from "../helpers/task-events.ts";

test("every state of the task machine either invokes its effect, waits for the outside, or is final", () => {
  const states = Object.entries(taskMachine.root.states);
  assert.ok(states.length >= 11, "the walk sees the machine's states");
  for (const [name, node] of states) {
    const srcs = node.invoke.map((i) => i.src);
    if (node.type === "final") {
      assert.deepEqual(srcs, [], `final state ${name} invokes nothing`);
      continue;
    }
    if ((RESTING_STATES as readonly string[]).includes(name)) {
      assert.deepEqual(srcs, [], `resting state ${name} invokes nothing`);
      continue;
    }
    const effect = TASK_EFFECTS[name as keyof typeof TASK_EFFECTS];
    assert.ok(effect, `state ${name} is neither resting nor final, so it needs an entry in TASK_EFFECTS`);
    assert.deepEqual(srcs, [effect], `state ${name} invokes ${effect}`);
  }
  for (const name of Object.keys(TASK_EFFECTS)) assert.ok(taskMachine.root.states[name], `TASK_EFFECTS names a state that exists: ${name}`);
});

test("an actor made from a folded stream re-enters the effect of the state it is in, and a fact sent to it starts the next one", () => {
  const task = sampleTask();
  const base = { task_id: task.task_id, attempt: 1, at: "2026-12-01T10:00:00.000Z" };
  const folded = replayTask([
    { ...base, type: "TaskAccepted", task, stages: [{ name: "s1", label: "S1", weight: 1 }] },
    { ...base, type: "DownloadStarted" },
  ]);
  assert.equal(folded.value, "downloading");
  const started: string[] = [];
  const effect = (name: string) => fromPromise<void>(() => new Promise<void>(() => void started.push(name)));
  const actors = Object.fromEntries(Object.values(TASK_EFFECTS).map((name) => [name, effect(name)])) as never;
  const actor = createActor(taskMachine.provide({ actors }), { snapshot: folded });
  actor.start();
  assert.deepEqual(started, ["download"], "the resumed actor runs its state's effect, and only that");
  actor.send({ ...base, type: "DownloadCompleted", size_bytes: 1 });
  assert.equal(actor.getSnapshot().value, "waiting_for_slot");
  assert.deepEqual(started, ["download", "requestSlot"]);
  actor.stop();
});
