import { test } from "node:test";
import assert from "node:assert/strict";
import { TaskStream } from "../../src/actors/task-stream.ts";
import { createPgliteEventStore } from "../../src/infra/event-store/index.ts";
import { TaskIndex } from "../../src/http/task-index.ts";
import { sampleTask } from "../helpers/task-events.ts";

async function accept(store: Awaited<ReturnType<typeof createPgliteEventStore>>): Promise<string> {
  const task = sampleTask();
  const stream = await TaskStream.open(store, task.task_id);
  await stream.append(stream.event("TaskAccepted", { task, stages: [{ name: "thumbnail_64", label: "64", weight: 1 }] }, 1));
  return task.task_id;
}

test("the task index: a refresh asked for while another runs still sees what was appended before it was asked (a GET right after its POST)", async () => {
  const store = await createPgliteEventStore({ dataDir: "memory://" });
  try {
    // The real store, whose first tail read is held after its query until the gate opens: a read
    // that ran before the append below and is still running when the next refresh is asked for.
    let open = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    let hold = true;
    const slow = new Proxy(store, {
      get(target, key) {
        if (key === "readAll")
          return async (options: Parameters<typeof store.readAll>[0]) => {
            const rows = await target.readAll(options);
            if (hold) {
              hold = false;
              await gate;
            }
            return rows;
          };
        const value = Reflect.get(target, key) as unknown;
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const index = new TaskIndex(slow);
    await accept(store);
    const running = index.refresh();
    await new Promise((r) => setTimeout(r, 50)); // its query has run
    const second = await accept(store);
    const after = index.refresh();
    open();
    await Promise.all([running, after]);
    assert.ok(index.get(second), "the task accepted before the second refresh was asked for is in the index");
    // Callers that ask while a read is queued share it: three asks, one more read.
    const [a, b, c] = [index.refresh(), index.refresh(), index.refresh()];
    assert.notEqual(a, b);
    assert.equal(b, c);
    await Promise.all([a, b, c]);
  } finally {
    await store.close();
  }
});

test("the task index: a live listener hears of an append as the store has it, not at a poll a second later", async () => {
  const store = await createPgliteEventStore({ dataDir: "memory://" });
  const index = new TaskIndex(store);
  try {
    await accept(store);
    await index.refresh();
    const heard: string[] = [];
    let wake = () => {};
    const stop = index.listen((changed) => {
      heard.push(...changed.map((t) => t.taskId));
      wake();
    });
    try {
      await new Promise((r) => setTimeout(r, 50)); // the index is watching
      const started = performance.now();
      const id = await accept(store);
      const deadline = setTimeout(() => wake(), 500);
      while (!heard.includes(id) && performance.now() - started < 500) await new Promise<void>((r) => (wake = r));
      clearTimeout(deadline);
      assert.ok(heard.includes(id), `heard of the new task within 500 ms (it took ${(performance.now() - started).toFixed(0)} ms)`);
    } finally {
      stop();
    }
  } finally {
    await store.close();
  }
});

test("the task index: a live listener still hears of appends after the store subscription failed (it subscribes again)", async () => {
  const store = await createPgliteEventStore({ dataDir: "memory://" });
  try {
    let failures = 1;
    // The real store, whose first subscription fails on its first read, as during an outage.
    const flaky = new Proxy(store, {
      get(target, key) {
        if (key === "subscribeToAll")
          return (options: Parameters<typeof store.subscribeToAll>[0]) => {
            if (failures-- > 0)
              return (async function* () {
                await Promise.resolve();
                yield* [];
                throw new Error("connection lost");
              })();
            return target.subscribeToAll(options);
          };
        const value = Reflect.get(target, key) as unknown;
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const index = new TaskIndex(flaky);
    await index.refresh();
    const heard: string[] = [];
    const stop = index.listen((changed) => heard.push(...changed.map((t) => t.taskId)));
    try {
      await new Promise((r) => setTimeout(r, 1500)); // failed, paused, subscribed again
      const id = await accept(store);
      const deadline = Date.now() + 3000;
      while (!heard.includes(id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(heard.includes(id), "heard of a task accepted after the subscription failed");
      assert.equal(failures, -1, "the failed subscription was replaced by one more");
    } finally {
      stop();
    }
  } finally {
    await store.close();
  }
});
