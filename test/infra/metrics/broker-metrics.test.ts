import assert from "node:assert/strict";
import { test } from "node:test";
import { Registry } from "prom-client";
import type { BrokerLoad } from "../../../src/ports/broker-load.port.ts";
import { createResourceBroker } from "../../../src/broker/resource-broker.ts";
import { createManualClock } from "../../../src/broker/broker-clock.ts";
import { mergeWeights } from "../../../src/broker/weights-config.ts";
import { registerBrokerMetrics } from "../../../src/infra/metrics/broker-metrics.ts";

const GIB = 1024 ** 3;

test("broker capacity, target, grants, measured use and slots per task type, from the real broker", async () => {
  const measured = { cpuPercent: 40, ramUsedBytes: 3 * GIB };
  const clock = createManualClock(Date.parse("2026-12-01T10:00:00Z"));
  const broker = createResourceBroker({
    clock,
    weights: mergeWeights([]),
    nodeId: "metrics-test",
    append: () => Promise.resolve({}),
    capacity: { cores: 4, ramBytes: 64 * GIB },
    config: { targetCpuPercent: 80, targetRamPercent: 50 },
    snapshot: () => ({ cpuPercent: measured.cpuPercent, ramUsedBytes: measured.ramUsedBytes, at: clock.now() }),
  });
  const registry = new Registry();
  registerBrokerMetrics(registry, () => broker.load());
  const value = async (name: string) => (await registry.getSingleMetric(name)!.get()).values;
  const one = async (name: string) => (await value(name))[0]?.value;
  try {
    const submittedAt = new Date(clock.now()).toISOString();
    const first = broker.request({ taskId: "t1", taskType: "geotiff_cog", priority: 5, submittedAt });
    const second = broker.request({ taskId: "t2", taskType: "image_thumbnail", priority: 5, submittedAt });
    clock.advance(2000); // past placeAfterMs and one tick (which takes the snapshot)
    await broker.flushed();
    const [grant] = await Promise.all([first, second]);

    assert.equal(await one("vs3d_node_cpu_cores"), 4);
    assert.equal(await one("vs3d_node_ram_bytes"), 64 * GIB);
    assert.equal(await one("vs3d_broker_cpu_target_cores"), 3.2, "80 % of 4 cores");
    assert.equal(await one("vs3d_broker_ram_target_bytes"), 32 * GIB, "50 % of 64 GiB");
    const grantedCores = await one("vs3d_broker_cpu_granted_cores");
    assert.ok(grantedCores! >= (4 * grant.cpuPercent) / 100, `granted cores ${grantedCores} include the first grant`);
    assert.ok((await one("vs3d_broker_ram_granted_bytes"))! >= grant.ramBytes);
    assert.equal(await one("vs3d_node_cpu_used_cores"), 1.6, "40 % of the node measured");
    assert.equal(await one("vs3d_node_ram_used_bytes"), 3 * GIB);
    const running = Object.fromEntries((await value("vs3d_workers_running")).map((v) => [String(v.labels.task_type), v.value]));
    assert.deepEqual(running, { geotiff_cog: 1, image_thumbnail: 1 });
    assert.equal(await one("vs3d_broker_ram_held_bytes"), 0);
    assert.ok(broker.hold("warm-1", 128 * 1024 ** 2), "an idle worker's hold fits");
    await broker.flushed();
    assert.equal(await one("vs3d_broker_ram_held_bytes"), 128 * 1024 ** 2, "what idle workers hold shows beside what is granted");
    broker.unhold("warm-1");
    await broker.flushed();
    assert.equal(await one("vs3d_broker_ram_held_bytes"), 0);

    broker.release("t1");
    broker.release("t2");
    await broker.flushed();
    assert.deepEqual(await value("vs3d_workers_running"), [], "no series left for a type with nothing running");
    assert.equal(await one("vs3d_broker_cpu_granted_cores"), 0);
  } finally {
    await broker.stop();
  }
});

test("a broker that never measured reports its use as NaN (a gap), not zero", async () => {
  const registry = new Registry();
  const load: BrokerLoad = {
    capacity: { cores: 2, ramBytes: GIB },
    config: { targetCpuPercent: 85, targetRamPercent: 85, heavyCpuPercent: 30, minCpuCores: 0.1, reserveAfterMs: 30_000, progressWhenIdle: true },
    snapshot: undefined,
    waiting: [],
    running: [],
    heldRamBytes: 0,
  };
  registerBrokerMetrics(registry, () => load);
  const text = await registry.metrics();
  assert.match(text, /^vs3d_node_cpu_cores 2$/m);
  assert.match(text, /^vs3d_node_cpu_used_cores NaN$/im);
  assert.match(text, /^vs3d_node_ram_used_bytes NaN$/im);
});
