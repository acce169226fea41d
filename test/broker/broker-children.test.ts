import { test } from "node:test";
import assert from "node:assert/strict";
import { runBurn } from "../../bench/scheduler/burn-child.ts";
import { createResourceBroker } from "../../src/broker/resource-broker.ts";
import { readNodeCapacity } from "../../src/broker/node-capacity.ts";
import { mergeWeights } from "../../src/broker/weights-config.ts";
import type { TaskType } from "../../src/contracts/task-types.ts";

const MIB = 1024 ** 2;

void test("real children granted by the broker on real snapshots never exceed the CPU target or the type limits", async () => {
  const capacity = readNodeCapacity();
  // Asks in cores of this node, so the expected concurrency holds on any machine the test runs on.
  const pct = (cores: number) => Math.min(100, (cores / capacity.cores) * 100);
  const weights = mergeWeights([
    {
      mesh_3d_convert: { cpu_percent: pct(0.6), ram_gb: 0.0625, max_concurrent: 2 },
      image_thumbnail: { cpu_percent: pct(0.25), ram_gb: 0.03125, max_concurrent: 30 },
    },
  ]);
  const events: string[] = [];
  const broker = createResourceBroker({ nodeId: "it", append: (_s, es) => Promise.resolve(void events.push(...es.map((e) => e.type))), capacity, weights, tickMs: 250 });
  const running = new Map<string, number>();
  let peakCpu = 0;
  let peakMesh = 0;
  const peaks: number[] = [];
  const task = async (id: string, type: TaskType) => {
    const grant = await broker.request({ taskId: id, taskType: type, priority: 5, submittedAt: new Date().toISOString() });
    running.set(id, grant.cpuPercent);
    peakCpu = Math.max(
      peakCpu,
      [...running.values()].reduce((a, b) => a + b, 0),
    );
    peakMesh = Math.max(peakMesh, [...running.keys()].filter((k) => k.startsWith("mesh")).length);
    try {
      const r = await runBurn({ cores: (grant.cpuPercent / 100) * capacity.cores, wallMs: 1000, ramBytes: grant.ramBytes });
      peaks.push(r.peakRssBytes);
    } finally {
      running.delete(id);
      broker.release(id);
    }
  };
  try {
    await Promise.all([...Array.from({ length: 3 }, (_, i) => task(`mesh-${i}`, "mesh_3d_convert")), ...Array.from({ length: 3 }, (_, i) => task(`thumb-${i}`, "image_thumbnail"))]);
  } finally {
    await broker.stop();
  }
  assert.ok(peakMesh >= 1 && peakMesh <= 2, `mesh_3d_convert ran ${peakMesh} at once (limit 2)`);
  assert.ok(peakCpu <= 85, `granted CPU at once ${peakCpu} % > 85 %`);
  assert.equal(events.filter((e) => e === "SlotGranted").length, 6);
  assert.equal(events.filter((e) => e === "SlotReleased").length, 6);
  assert.ok(Math.min(...peaks) >= 32 * MIB, "every child held the RAM it was granted");
});
