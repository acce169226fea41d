import assert from "node:assert/strict";
import { test } from "node:test";
import type { ProgressMessage, TaskStatus } from "../../src/contracts/progress-message.ts";
import { shouldSendProgress, type ThrottleState } from "../../src/projections/pure/progress.projection.ts";

const msg = (status: TaskStatus, stage: string | null, percent: number): ProgressMessage => ({
  task_id: "t",
  tenant_id: "x",
  file_id: "f",
  status,
  progress: { percent, stage, stage_label: null, items_done: null, items_total: null, items_unit: null, stage_index: null, stage_count: 2 },
  eta_seconds: null,
  emitted_at: "2026-12-01T10:00:00.000Z",
  attempt: 1,
  error: null,
});

/** Runs a task's messages through the throttle as the projection does; returns the sent ones. */
function sent(steps: [atMs: number, message: ProgressMessage][]): [number, number][] {
  let state: ThrottleState | undefined;
  const out: [number, number][] = [];
  for (const [at, m] of steps) {
    if (!shouldSendProgress(state, m, at)) continue;
    state = { lastSentAt: at, lastStage: m.progress.stage, lastStatus: m.status };
    out.push([at, m.progress.percent]);
  }
  return out;
}

test("a burst of progress in one stage sends at most one message per 2 s", () => {
  const burst = Array.from({ length: 50 }, (_, i): [number, ProgressMessage] => [i * 100, msg("processing", "lod", i)]);
  const out = sent(burst);
  assert.deepEqual(
    out.map(([at]) => at),
    [0, 2000, 4000],
  );
  for (let i = 1; i < out.length; i++) assert.ok(out[i]![0] - out[i - 1]![0] >= 2000);
});

test("a stage change is sent at once, even inside the 2 s window", () => {
  const out = sent([
    [0, msg("processing", "lod_1", 10)],
    [300, msg("processing", "lod_1", 20)],
    [600, msg("processing", "lod_2", 40)],
    [900, msg("processing", "lod_2", 45)],
  ]);
  assert.deepEqual(out, [
    [0, 10],
    [600, 40],
  ]);
});

test("the final state after a burst is always sent", () => {
  const burst = Array.from({ length: 10 }, (_, i): [number, ProgressMessage] => [i * 50, msg("processing", "lod", 90 + i)]);
  const out = sent([...burst, [520, msg("uploading", "lod", 99)], [560, msg("completed", "lod", 100)]]);
  assert.deepEqual(out, [
    [0, 90],
    [520, 99],
    [560, 100],
  ]);
});

test("failed and cancelled are sent right after a throttled update", () => {
  for (const final of ["failed", "cancelled", "dead_lettered"] as const) {
    const out = sent([
      [0, msg("processing", "a", 1)],
      [10, msg("processing", "a", 2)],
      [20, msg(final, "a", 2)],
    ]);
    assert.deepEqual(
      out.map(([at]) => at),
      [0, 20],
      final,
    );
  }
});
