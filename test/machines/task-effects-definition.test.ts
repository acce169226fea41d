import { test } from "node:test";
import assert from "node:assert/strict";
import { RESTING_STATES, TASK_EFFECTS, taskMachine } from "../../src/machines/task.machine.ts";

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
