import { test } from "node:test";
import assert from "node:assert/strict";
import { runInNewContext } from "node:vm";
import { createMachine, initialTransition, transition } from "xstate";
import { statelyImport } from "../../src/cli/machine-command.ts";
import { brokerMachine } from "../../src/machines/broker.machine.ts";
import { TASK_EFFECTS, taskMachine } from "../../src/machines/task.machine.ts";
import { sampleTask } from "../helpers/task-events.ts";

/** What Stately's "Import from code" does with the text: evaluates one createMachine({...}) call. */
function imported(code: string) {
  assert.match(code, /^createMachine\(\{[\s\S]*\}\);$/, "one createMachine() call and nothing else");
  return runInNewContext(code, { createMachine }) as ReturnType<typeof createMachine>;
}

test("`vs3d machine task --stately` is a createMachine() call with every state, transition and effect of the task machine", () => {
  const machine = imported(statelyImport(taskMachine.config));
  assert.deepEqual(Object.keys(machine.root.states), Object.keys(taskMachine.root.states));
  for (const [state, effect] of Object.entries(TASK_EFFECTS)) {
    assert.deepEqual(
      machine.root.states[state]!.invoke.map((i) => i.src),
      [effect],
      `${state} invokes ${effect}`,
    );
  }
  for (const [name, node] of Object.entries(taskMachine.root.states)) {
    assert.deepEqual([...machine.root.states[name]!.ownEvents].sort(), [...node.ownEvents].sort(), `${name} takes the same events`);
  }
  // The imported machine runs: its first transition lands where the real one does.
  const task = sampleTask();
  const accepted = { type: "TaskAccepted", task_id: task.task_id, attempt: 1, at: "2026-12-01T10:00:00Z", task, stages: [] };
  const [first] = initialTransition(machine);
  assert.equal(transition(machine, first, accepted as never)[0].value, "queued");
});

test("`vs3d machine broker --stately` imports too", () => {
  const machine = imported(statelyImport(brokerMachine.config));
  assert.deepEqual(Object.keys(machine.root.on ?? {}).sort(), Object.keys(brokerMachine.root.on ?? {}).sort());
});
