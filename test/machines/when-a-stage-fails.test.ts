import { test } from "node:test";
import assert from "node:assert/strict";
import type { SerializedError } from "../../src/contracts/app-error.ts";
import { cancelDecision, failureFacts, retryDelayFor, retryDue, stopFacts } from "../../src/machines/when-a-stage-fails.ts";

const recoverable: SerializedError = { code: "STORAGE_ERROR", message: "S3 503", stage: "convert", recoverable: true };
const fatal: SerializedError = { code: "INVALID_PARAMS", message: "bad size", stage: null, recoverable: false };

test("a failure becomes TaskFailed + RetryScheduled, TaskFailed + TaskDeadLettered, or TaskFailed alone", () => {
  const rows: { name: string; error: SerializedError; attempt: number; max: number; want: string[]; willRetry: boolean }[] = [
    { name: "recoverable, first of three", error: recoverable, attempt: 1, max: 3, want: ["TaskFailed", "RetryScheduled"], willRetry: true },
    { name: "recoverable, second of three", error: recoverable, attempt: 2, max: 3, want: ["TaskFailed", "RetryScheduled"], willRetry: true },
    { name: "recoverable, last attempt", error: recoverable, attempt: 3, max: 3, want: ["TaskFailed", "TaskDeadLettered"], willRetry: false },
    { name: "recoverable, only attempt", error: recoverable, attempt: 1, max: 1, want: ["TaskFailed", "TaskDeadLettered"], willRetry: false },
    { name: "not recoverable, attempts left", error: fatal, attempt: 1, max: 3, want: ["TaskFailed"], willRetry: false },
    { name: "not recoverable, last attempt", error: fatal, attempt: 3, max: 3, want: ["TaskFailed"], willRetry: false },
  ];
  for (const row of rows) {
    const facts = failureFacts(row.error, row.attempt, row.max, [30, 60]);
    assert.deepEqual(
      facts.map((f) => f.type),
      row.want,
      row.name,
    );
    assert.equal(facts[0].will_retry, row.willRetry, row.name);
    assert.deepEqual(facts[0].error, row.error, row.name);
  }
});

test("a scheduled retry names the next attempt and the configured delay for the attempt that failed", () => {
  assert.deepEqual(failureFacts(recoverable, 1, 3, [30, 60])[1], { type: "RetryScheduled", next_attempt: 2, delay_seconds: 30 });
  assert.deepEqual(failureFacts(recoverable, 2, 3, [30, 60])[1], { type: "RetryScheduled", next_attempt: 3, delay_seconds: 60 });
  assert.deepEqual(failureFacts(recoverable, 2, 3, [5])[1], { type: "RetryScheduled", next_attempt: 3, delay_seconds: 5 });
});

test("a dead letter says the code and how many attempts it took (the metrics read the code from it)", () => {
  assert.deepEqual(failureFacts(recoverable, 3, 3, [30])[1], { type: "TaskDeadLettered", reason: "STORAGE_ERROR after 3 attempt(s): S3 503" });
});

test("retry delays: the n-th delay, the last past the end, 30 s with none configured", () => {
  const rows: [readonly number[], number, number][] = [
    [[30, 60], 1, 30],
    [[30, 60], 2, 60],
    [[30, 60], 7, 60],
    [[1], 1, 1],
    [[], 1, 30],
  ];
  for (const [delays, attempt, want] of rows) assert.equal(retryDelayFor(delays, attempt), want, `${JSON.stringify(delays)} attempt ${attempt}`);
});

test("stops: a cancel ends the task, a shutdown interrupts it, a lost owner writes nothing, anything else is a failure", () => {
  assert.deepEqual(stopFacts({ kind: "cancel", reason: "user" }, 1, 3, [30]), [{ type: "TaskCancelled", reason: "user" }]);
  assert.deepEqual(stopFacts({ kind: "shutdown" }, 1, 3, [30]), [{ type: "TaskInterrupted", reason: "node shutting down" }]);
  assert.deepEqual(stopFacts({ kind: "lost_ownership" }, 1, 3, [30]), []);
  assert.deepEqual(
    stopFacts({ kind: "failure", error: recoverable }, 1, 3, [30]).map((f) => f.type),
    ["TaskFailed", "RetryScheduled"],
  );
});

test("a retry is due its delay after its last fact; an overdue one is due now, not a full delay later", () => {
  const at = "2026-12-01T10:00:00.000Z";
  const t0 = Date.parse(at);
  const ctx = { attempt: 1, nextAttempt: 2, retryDelaySeconds: 30, lastEventAt: at };
  const rows: {
    name: string;
    now: number;
    ctx: typeof ctx | { attempt: number; nextAttempt: null; retryDelaySeconds: null; lastEventAt: string };
    want: { nextAttempt: number; delaySeconds: number };
  }[] = [
    { name: "just scheduled", now: t0, ctx, want: { nextAttempt: 2, delaySeconds: 30 } },
    { name: "10 s later", now: t0 + 10_000, ctx, want: { nextAttempt: 2, delaySeconds: 20 } },
    { name: "overdue", now: t0 + 300_000, ctx, want: { nextAttempt: 2, delaySeconds: 0 } },
    {
      name: "no RetryScheduled: from the configuration",
      now: t0 + 5_000,
      ctx: { attempt: 2, nextAttempt: null, retryDelaySeconds: null, lastEventAt: at },
      want: { nextAttempt: 3, delaySeconds: 55 },
    },
  ];
  for (const row of rows) {
    const due = retryDue(row.ctx, [30, 60], row.now);
    assert.deepEqual({ nextAttempt: due.nextAttempt, delaySeconds: due.delaySeconds }, row.want, row.name);
    assert.equal(due.dueAtMs, t0 + (row.ctx.retryDelaySeconds ?? 60) * 1000, row.name);
  }
});

test("a cancel broadcast: stopped where it runs, recorded where no node owns it, left to its owner elsewhere", () => {
  const rows: [Parameters<typeof cancelDecision>[0], ReturnType<typeof cancelDecision>][] = [
    [{ runningHere: true, exists: true, ownedTag: true, acceptsCancel: true }, "stop"],
    [{ runningHere: false, exists: true, ownedTag: true, acceptsCancel: true }, "owned_elsewhere"],
    [{ runningHere: false, exists: true, ownedTag: false, acceptsCancel: true }, "record"],
    [{ runningHere: false, exists: true, ownedTag: false, acceptsCancel: false }, "not_cancellable"],
    [{ runningHere: false, exists: false, ownedTag: false, acceptsCancel: false }, "not_cancellable"],
  ];
  for (const [input, want] of rows) assert.equal(cancelDecision(input), want, JSON.stringify(input));
});
