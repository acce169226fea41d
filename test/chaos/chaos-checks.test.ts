import { test } from "node:test";
import assert from "node:assert/strict";
import { judgeTask, violations, type StreamEvent } from "./chaos-checks.ts";
import { seededRng } from "./seeded-rng.ts";

const ev = (type: string, stage?: string): StreamEvent => ({ type, data: stage ? { stage } : {} });
const done = (id: string, messageId = "m1") => ({ messageId, body: { task_id: id, status: "completed" } });

test("the chaos judge: one final result after dedup, no stage redone, a resume past a completed stage is seen", () => {
  const resumed = [
    ev("TaskAccepted"),
    ev("StageStarted", "a"),
    ev("StageCompleted", "a"),
    ev("StageStarted", "b"),
    ev("TaskInterrupted"),
    ev("StageStarted", "b"),
    ev("StageCompleted", "b"),
    ev("TaskCompleted"),
  ];
  const v = judgeTask("t1", [done("t1"), done("t1"), done("t2")], resumed);
  assert.deepEqual(
    { finals: v.finals, dup: v.duplicateDeliveries, redone: v.stagesRedone, interrupted: v.interrupted, past: v.resumedPastAStage },
    { finals: 1, dup: 1, redone: [], interrupted: true, past: true },
  );
  assert.deepEqual(violations([v], new Map([["t1", "completed"]])), []);
});

test("the chaos judge flags a second final result, a redone stage, a missing result and a wrong outcome", () => {
  const redone = [ev("StageStarted", "a"), ev("StageCompleted", "a"), ev("TaskInterrupted"), ev("StageStarted", "a"), ev("StageCompleted", "a")];
  const twice = judgeTask("t1", [done("t1", "m1"), done("t1", "m2")], redone);
  assert.equal(twice.finals, 2);
  assert.deepEqual(twice.stagesRedone, ["a"]);
  const none = judgeTask("t2", [], []);
  const failed = judgeTask("t3", [{ messageId: "x", body: { task_id: "t3", status: "failed", retry: { will_retry: false } } }], []);
  const retrying = judgeTask("t4", [{ messageId: "y", body: { task_id: "t4", status: "failed", retry: { will_retry: true } } }, done("t4", "z")], []);
  assert.equal(retrying.finals, 1, "a failed attempt that will retry is not final");
  const found = violations([twice, none, failed, retrying], new Map([["t3", "completed"]]));
  assert.equal(found.length, 4, found.join("\n"));
});

test("the seeded generator repeats itself for a seed and differs across seeds", () => {
  const a = Array.from(
    { length: 5 },
    (
      (r) => () =>
        r.int(1000)
    )(seededRng(42)),
  );
  const b = Array.from(
    { length: 5 },
    (
      (r) => () =>
        r.int(1000)
    )(seededRng(42)),
  );
  const c = Array.from(
    { length: 5 },
    (
      (r) => () =>
        r.int(1000)
    )(seededRng(43)),
  );
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});
