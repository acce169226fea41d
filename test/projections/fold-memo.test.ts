import { test } from "node:test";
import assert from "node:assert/strict";
import { readTask } from "../../src/actors/read-task.ts";
import { TaskStream } from "../../src/actors/task-stream.ts";
import { createPgliteEventStore } from "../../src/infra/event-store/index.ts";
import { stateOf } from "../../src/machines/task-replay.ts";
import { FoldMemo } from "../../src/projections/fold-memo.ts";
import { TaskFolds } from "../../src/projections/task-folds.ts";
import { sampleTask } from "../helpers/task-events.ts";

async function storeWithOneTask(task = sampleTask()) {
  const store = await createPgliteEventStore({ dataDir: "memory://" });
  const stream = await TaskStream.open(store, task.task_id);
  await stream.append(stream.event("TaskAccepted", { task, stages: [{ name: "thumbnail_64", label: "64", weight: 1 }] }, 1));
  await stream.appendAll([stream.event("DownloadStarted", {}), stream.event("DownloadCompleted", { size_bytes: 5 }), stream.event("SlotRequested", {})]);
  return { store, task };
}

test("folds are shared by the readers of one store: the second reader takes the first one's states, and a second store's same stream is its own", async () => {
  const memo = new FoldMemo();
  const { store, task } = await storeWithOneTask();
  const other = await storeWithOneTask(task);
  try {
    const events = await store.readAll({ streamPrefix: "task-" });
    const first = new TaskFolds(store, memo);
    const second = new TaskFolds(store, memo);
    const a = [];
    for (const e of events) a.push(await first.fold(e));
    for (const [i, e] of events.entries()) assert.equal((await second.fold(e)).snapshot, a[i]!.snapshot, "the same state object: folded once");
    assert.equal(stateOf(a[a.length - 1]!.snapshot), (await readTask(store, task.task_id))!.state);
    const elsewhere = new TaskFolds(other.store, memo);
    const [firstOfOther] = await other.store.readAll({ streamPrefix: "task-" });
    assert.notEqual((await elsewhere.fold(firstOfOther!)).snapshot, a[0]!.snapshot, "another store's task-<id> is folded from its own events");
  } finally {
    await store.close();
    await other.store.close();
  }
});

test("the memo keeps its newest entries only", () => {
  const memo = new FoldMemo(2);
  const folded = (n: number) => ({ event: { n }, snapshot: { n } }) as never;
  memo.set("s", 0, folded(0));
  memo.set("s", 1, folded(1));
  memo.set("s", 2, folded(2));
  assert.equal(memo.get("s", 0), undefined);
  assert.ok(memo.get("s", 1) && memo.get("s", 2));
});

test("a stream's first event is folded without reading the stream; a cold reader met mid-stream still reads what came before", async () => {
  const { store, task } = await storeWithOneTask();
  try {
    const events = await store.readAll({ streamPrefix: "task-" });
    let reads = 0;
    const counted = new Proxy(store, {
      get(target, key, receiver) {
        if (key === "readStream") return (...args: Parameters<typeof store.readStream>) => (reads++, target.readStream(...args));
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const first = await new TaskFolds(counted, new FoldMemo()).fold(events[0]!);
    assert.equal(reads, 0, "nothing precedes revision 0");
    assert.equal(stateOf(first.snapshot), stateOf((await new TaskFolds(store, new FoldMemo()).fold(events[0]!)).snapshot));
    assert.equal(first.event.type, "TaskAccepted");
    const last = await new TaskFolds(counted, new FoldMemo()).fold(events[events.length - 1]!);
    assert.equal(reads, 1, "a reader met mid-stream folds the stream from its start");
    assert.equal(stateOf(last.snapshot), (await readTask(store, task.task_id))!.state);
  } finally {
    await store.close();
  }
});
