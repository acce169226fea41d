import type { NodeCapacity, PlacementConfig } from "../machines/broker-ask.ts";
import { usage, type AccountedSnapshot, type RunningSlot, type WaitingSlot } from "../machines/broker-placement.ts";
import type { NodeView } from "./http-schemas.ts";

/** What the resource broker knows of its node (its `load()`). */
export interface NodeLoad {
  capacity: NodeCapacity;
  config: PlacementConfig;
  snapshot: AccountedSnapshot | undefined;
  waiting: readonly WaitingSlot[];
  running: readonly RunningSlot[];
}

/** GET /node: the broker's view of this node (capacity, what it fills up to, what is in use) and
 * its slots counted by task type. Pure. */
export function nodeView(nodeId: string, load: NodeLoad, runningHere: number): NodeView {
  const byType: NodeView["by_type"] = {};
  const count = (taskType: string, key: "running" | "waiting") => {
    const entry = (byType[taskType] ??= { running: 0, waiting: 0 });
    entry[key] += 1;
  };
  for (const r of load.running) count(r.taskType, "running");
  for (const w of load.waiting) count(w.taskType, "waiting");
  const inUse = usage(load);
  return {
    node_id: nodeId,
    capacity: { cores: load.capacity.cores, ram_bytes: load.capacity.ramBytes },
    target: { cpu_percent: load.config.targetCpuPercent, ram_percent: load.config.targetRamPercent },
    in_use: { cpu_percent: inUse.cpu, ram_bytes: inUse.ram },
    granted: { cpu_percent: load.running.reduce((s, r) => s + r.cpuPercent, 0), ram_bytes: load.running.reduce((s, r) => s + r.ramBytes, 0) },
    measured: load.snapshot ? { cpu_percent: load.snapshot.cpuPercent, ram_bytes: load.snapshot.ramUsedBytes } : null,
    by_type: byType,
    running_here: runningHere,
  };
}
