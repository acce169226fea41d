import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { Registry } from "prom-client";
import { openEventStore } from "../../../src/infra/event-store/open-event-store.ts";
import { registerProjectionLagMetrics } from "../../../src/infra/metrics/projection-lag-metrics.ts";
import { createProjectionStats } from "../../../src/projections/projection-stats.ts";

const event = (type: string) => ({ id: randomUUID(), type, data: {}, metadata: { correlation_id: "t", causation_id: "t" } });

test("projection lag in events: task events after the leader's last handled one, or after the checkpoint on other nodes; broker events do not count", async () => {
  const store = await openEventStore("memory://");
  try {
    const positions: bigint[] = [];
    for (let i = 0; i < 5; i++) positions.push((await store.append(`task-${randomUUID()}`, [event("TaskAccepted")], { expectedRevision: "any" })).position);
    for (let i = 0; i < 3; i++) await store.append("broker-node-a", [event("SlotRequested")], { expectedRevision: "any" });

    const leading = createProjectionStats("projection:progress");
    leading.stats.leader = true;
    leading.stats.lastPosition = positions[3]!;
    const elsewhere = createProjectionStats("projection:results"); // led by another node: its checkpoint
    await store.checkpoints.save("projection:results", positions[1]!);
    const never = createProjectionStats("projection:task-log"); // no checkpoint yet: everything is behind

    const registry = new Registry();
    registerProjectionLagMetrics(registry, { store, checkpoints: store.checkpoints, stats: () => [leading.stats, elsewhere.stats, never.stats] });
    const lag = async (): Promise<Record<string, number>> =>
      Object.fromEntries((await registry.getSingleMetric("vs3d_projection_lag_events")!.get()).values.map((v) => [String(v.labels.projection), v.value]));
    assert.deepEqual(await lag(), { "projection:progress": 1, "projection:results": 3, "projection:task-log": 5 });

    leading.stats.lastPosition = positions[4]!;
    assert.equal((await lag())["projection:progress"], 0, "caught up: the broker's later events are nothing to do");
  } finally {
    await store.close();
  }
});
