import { test } from "node:test";
import assert from "node:assert/strict";
import { GIB, PLACEMENT_DEFAULTS } from "../../src/machines/broker-ask.ts";
import { holdFits, place, usage, type AccountedSnapshot, type PlacementInput, type RunningSlot, type WaitingSlot } from "../../src/machines/broker-placement.ts";
import { mergeWeights } from "../../src/broker/weights-config.ts";

// A 4 GiB node: the 85 % RAM target is 3.4 GiB. image_convert asks 1 GiB, 5 % CPU.
const NODE = { cores: 2, ramBytes: 4 * GIB };
const MIB = 2 ** 20;
const T0 = 1_000_000;
const weights = mergeWeights([]);
const w = (taskId: string, extra: Partial<WaitingSlot> = {}): WaitingSlot => ({ taskId, taskType: "image_convert", priority: 5, submittedAt: T0, requestedAt: T0, ...extra });
const r = (taskId: string, ramBytes = GIB, extra: Partial<RunningSlot> = {}): RunningSlot => ({
  taskId,
  taskType: "image_convert",
  cpuPercent: 5,
  ramBytes,
  exclusive: false,
  grantedAt: T0,
  ...extra,
});
const input = (o: Partial<PlacementInput>): PlacementInput => ({ capacity: NODE, snapshot: undefined, running: [], waiting: [], weights, config: PLACEMENT_DEFAULTS, now: T0, ...o });

const placeCases: Array<{ name: string; input: PlacementInput; granted: string[]; reclaim: number }> = [
  { name: "held RAM that leaves room: the task starts, nothing is asked back", input: input({ running: [r("a")], waiting: [w("b")], heldRamBytes: GIB }), granted: ["b"], reclaim: 0 },
  {
    name: "a task that does not fit only because of held RAM waits, and the pool is asked for what it lacks (1 GiB − 0.4 GiB free)",
    input: input({ running: [r("a")], waiting: [w("b")], heldRamBytes: 2 * GIB }),
    granted: [],
    reclaim: GIB - 0.4 * GIB,
  },
  {
    name: "after the pool gave that back, the same task starts",
    input: input({ running: [r("a")], waiting: [w("b")], heldRamBytes: 2 * GIB - (GIB - 0.4 * GIB) }),
    granted: ["b"],
    reclaim: 0,
  },
  {
    name: "a task blocked by grants, not by held RAM, asks nothing back (retiring idle workers would not start it)",
    input: input({ running: [r("a", 3 * GIB)], waiting: [w("b")], heldRamBytes: 256 * MIB }),
    granted: [],
    reclaim: 0,
  },
  {
    name: "an exclusive task granted on an idle node takes every held byte back",
    input: input({ waiting: [w("big", { taskType: "geotiff_cog" })], heldRamBytes: 512 * MIB }),
    granted: ["big"],
    reclaim: 512 * MIB,
  },
  {
    name: "other processes grown past the RAM target: idle workers are the first RAM to give up",
    input: input({ snapshot: { cpuPercent: 0, ramUsedBytes: 3.5 * GIB + 300 * MIB, grantedCpuPercent: 0, grantedRamBytes: 0, heldRamBytes: 300 * MIB }, heldRamBytes: 300 * MIB }),
    granted: [],
    reclaim: 300 * MIB,
  },
];
for (const c of placeCases) {
  test(`held RAM placement: ${c.name}`, () => {
    const p = place(c.input);
    assert.deepEqual(
      p.grants.map((g) => g.taskId),
      c.granted,
    );
    assert.ok(Math.abs(p.reclaimRamBytes - c.reclaim) < 1, `reclaim ${p.reclaimRamBytes} ≈ ${c.reclaim}`);
  });
}

const holdCases: Array<{ name: string; input: PlacementInput; bytes: number; fits: boolean }> = [
  { name: "fits under the RAM target", input: input({ running: [r("a")] }), bytes: 145 * MIB, fits: true },
  { name: "refused past the RAM target (1 + 2.3 + 0.145 GiB > 3.4 GiB)", input: input({ running: [r("a")], heldRamBytes: 2.3 * GIB }), bytes: 145 * MIB, fits: false },
  { name: "refused when it would make a waiting task wait (1 GiB ask, 1.4 GiB free)", input: input({ running: [r("a")], waiting: [w("b")], heldRamBytes: GIB }), bytes: 500 * MIB, fits: false },
  { name: "refused while a task waits on held RAM already", input: input({ running: [r("a")], waiting: [w("b")], heldRamBytes: 2 * GIB }), bytes: MIB, fits: false },
  { name: "a waiting task blocked by CPU does not stop a hold", input: input({ running: [r("a", GIB, { cpuPercent: 85 })], waiting: [w("b")] }), bytes: 145 * MIB, fits: true },
];
for (const c of holdCases) test(`held RAM hold: ${c.name}`, () => assert.equal(holdFits(c.input, c.bytes), c.fits));

test("held RAM is not counted twice: the snapshot's RAM already includes the idle workers' processes", () => {
  // 1 GiB granted, 2 GiB held, and the node measured 3.25 GiB: 0.25 GiB is someone else's.
  const snapshot: AccountedSnapshot = { cpuPercent: 10, ramUsedBytes: 3.25 * GIB, grantedCpuPercent: 5, grantedRamBytes: GIB, heldRamBytes: 2 * GIB };
  assert.equal(usage({ running: [r("a")], snapshot, heldRamBytes: 2 * GIB }).ram, 3.25 * GIB);
  // Held less now than at the snapshot (a worker taken since): still no negative external part.
  assert.equal(usage({ running: [r("a")], snapshot: { ...snapshot, ramUsedBytes: 2 * GIB }, heldRamBytes: 2 * GIB }).ram, 3 * GIB);
  // Without the held part in the snapshot, the same processes would count again as external load.
  assert.equal(usage({ running: [r("a")], snapshot: { ...snapshot, heldRamBytes: 0 }, heldRamBytes: 2 * GIB }).ram, 5.25 * GIB);
});
