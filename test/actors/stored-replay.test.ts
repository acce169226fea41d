import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createActor } from "xstate";
import { TaskStream } from "../../src/actors/task-stream.ts";
import { taskStreamId, type TaskEvent } from "../../src/contracts/task-events.ts";
import { createPgliteEventStore } from "../../src/infra/event-store/index.ts";
import { TASK_MACHINE_VERSION, taskMachine } from "../../src/machines/task.machine.ts";
import { replayTask } from "../../src/machines/task-replay.ts";
import { parseStored } from "../../src/actors/task-stream.ts";
import { candidateEvents, sampleTask } from "../helpers/task-events.ts";

test("random event sequences appended to a real store replay to the live actor's state", { timeout: 120_000 }, async () => {
  const store = await createPgliteEventStore({ dataDir: "memory://" });
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(1000), { minLength: 1, maxLength: 40 }), async (choices) => {
        const task = sampleTask();
        const stream = await TaskStream.open(store, task.task_id);
        const actor = createActor(taskMachine).start();
        for (const choice of choices) {
          const options = candidateEvents(stream.snapshot, task, new Date().toISOString()).filter((e) => stream.canAppend(e));
          const event: TaskEvent | undefined = choice % 2 === 0 ? options[0] : options[(choice >> 1) % options.length];
          if (!event) break;
          await stream.append(event);
          actor.send(event);
        }
        const stored = await store.readStream(taskStreamId(task.task_id));
        assert.ok(stored.every((e) => e.metadata.machine_version === TASK_MACHINE_VERSION && e.metadata.correlation_id === task.task_id));
        const replayed = replayTask(stored.map(parseStored));
        const live = actor.getSnapshot();
        assert.equal(replayed.value, live.value);
        assert.deepEqual(replayed.context, live.context);
        actor.stop();
      }),
      { numRuns: 40 },
    );
  } finally {
    await store.close();
  }
});

test("a second owner's append is refused with lost ownership (revision fencing)", async () => {
  const store = await createPgliteEventStore({ dataDir: "memory://" });
  try {
    const task = sampleTask();
    const a = await TaskStream.open(store, task.task_id);
    await a.append(a.event("TaskAccepted", { task, stages: [{ name: "s", label: "S", weight: 1 }] }, 1));
    const b = await TaskStream.open(store, task.task_id);
    await a.append(a.event("DownloadStarted", {}));
    await assert.rejects(b.append(b.event("DownloadStarted", {})), { name: "LostOwnershipError" });
  } finally {
    await store.close();
  }
});
