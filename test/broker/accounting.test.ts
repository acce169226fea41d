import { test } from "node:test";
import assert from "node:assert/strict";
import { accountSnapshot, pruneReleased, RELEASED_MEMORY_MS, type MeasuredSnapshot, type ReleasedSlot } from "../../src/machines/broker-accounting.ts";
import { GIB } from "../../src/machines/broker-ask.ts";
import type { RunningSlot } from "../../src/machines/broker-placement.ts";
import { usage } from "../../src/machines/broker-placement.ts";

const T = 1_000_000;
const snap = (cpuPercent: number, extra: Partial<MeasuredSnapshot> = {}): MeasuredSnapshot => ({ cpuPercent, ramUsedBytes: 0, at: T, windowMs: 2000, ...extra });
const running = (cpuPercent: number, grantedAt: number, ramBytes = GIB): RunningSlot => ({ taskId: `r${grantedAt}`, taskType: "image_thumbnail", cpuPercent, ramBytes, exclusive: false, grantedAt });
const released = (cpuPercent: number, grantedAt: number, releasedAt: number, ramBytes = GIB): ReleasedSlot => ({ cpuPercent, ramBytes, grantedAt, releasedAt });

/** `external` is what placement then treats as someone else's load: usage() with nothing running. */
const cases: Array<{ name: string; snapshot: MeasuredSnapshot; running?: RunningSlot[]; released?: ReleasedSlot[]; external: number; externalRam?: number }> = [
  { name: "a task released half-way through the window is ours for half of it, not someone else's load", snapshot: snap(37.5), released: [released(75, T - 30_000, T - 1000)], external: 0 },
  { name: "a slot granted after the snapshot was taken is not in it: the load it shows is someone else's", snapshot: snap(40), running: [running(50, T + 500)], external: 40 },
  { name: "a slot granted mid-window counts for its share of the window", snapshot: snap(60), running: [running(50, T - 1000)], external: 35 },
  { name: "a task that uses more than it asked shows as extra load", snapshot: snap(70), running: [running(50, T - 10_000)], external: 20 },
  {
    name: "an instant snapshot (no window) counts whatever held a grant at that instant",
    snapshot: snap(70, { windowMs: 0 }),
    running: [running(50, T - 10)],
    released: [released(20, T - 5000, T - 1)],
    external: 20,
  },
  {
    name: "RAM is an instant: a slot released before the snapshot holds none of it",
    snapshot: snap(0, { ramUsedBytes: 3 * GIB }),
    released: [released(5, T - 5000, T - 1, 2 * GIB)],
    running: [running(5, T - 5000, GIB)],
    external: 0,
    externalRam: 2 * GIB,
  },
];

for (const c of cases) {
  void test(`accounting: ${c.name}`, () => {
    const accounted = accountSnapshot(c.snapshot, c.running ?? [], c.released ?? []);
    const seen = usage({ running: [], snapshot: accounted });
    assert.ok(Math.abs(seen.cpu - c.external) < 1e-9, `external CPU ${seen.cpu} %, expected ${c.external} %`);
    if (c.externalRam !== undefined) assert.equal(seen.ram, c.externalRam);
  });
}

void test("accounting: released slots are forgotten once no trusted snapshot can show them", () => {
  const kept = pruneReleased([released(5, T - 20_000, T - RELEASED_MEMORY_MS), released(5, T - 3000, T - 1000)], T);
  assert.deepEqual(
    kept.map((r) => r.releasedAt),
    [T - 1000],
  );
});
