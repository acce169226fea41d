import { Gauge, type Registry } from "prom-client";
import type { BrokerLoad } from "../../ports/broker-load.port.ts";

/** One gauge per number an operator compares: the node's capacity, the broker's target (what it
 * fills up to), what it granted, and what the node measured. CPU in cores, RAM in bytes (the
 * broker's percentages are of the whole node). */
const SERIES: { name: string; help: string; value: (l: BrokerLoad) => number | undefined }[] = [
  { name: "vs3d_node_cpu_cores", help: "CPU cores the broker may use on this node (cgroup quota or host)", value: (l) => l.capacity.cores },
  { name: "vs3d_node_ram_bytes", help: "RAM the broker may use on this node (cgroup limit or host)", value: (l) => l.capacity.ramBytes },
  { name: "vs3d_broker_cpu_target_cores", help: "CPU the broker fills the node up to", value: (l) => cores(l, l.config.targetCpuPercent) },
  { name: "vs3d_broker_ram_target_bytes", help: "RAM the broker fills the node up to", value: (l) => (l.capacity.ramBytes * l.config.targetRamPercent) / 100 },
  { name: "vs3d_broker_cpu_granted_cores", help: "CPU granted to running tasks", value: (l) => cores(l, sum(l.running.map((r) => r.cpuPercent))) },
  { name: "vs3d_broker_ram_granted_bytes", help: "RAM granted to running tasks", value: (l) => sum(l.running.map((r) => r.ramBytes)) },
  { name: "vs3d_broker_ram_held_bytes", help: "RAM idle warm workers hold in the broker's account (counted as used, like a grant)", value: (l) => l.heldRamBytes },
  { name: "vs3d_node_cpu_used_cores", help: "CPU in use on the node at the broker's last measurement (all processes)", value: (l) => l.snapshot && cores(l, l.snapshot.cpuPercent) },
  { name: "vs3d_node_ram_used_bytes", help: "RAM in use on the node at the broker's last measurement (all processes)", value: (l) => l.snapshot?.ramUsedBytes },
];

/** The resource broker on /metrics, read at scrape time: capacity against use, and its slots —
 * a granted slot is a worker running, a waiting one a task ready to compute. */
export function registerBrokerMetrics(registry: Registry, load: () => BrokerLoad): void {
  for (const s of SERIES) {
    new Gauge({
      name: s.name,
      help: s.help,
      registers: [registry],
      collect() {
        // NaN (a gap in a graph) before the first measurement: 0 would claim an idle node.
        this.set(s.value(load()) ?? Number.NaN);
      },
    });
  }
  const byType = (name: string, help: string, slots: (l: BrokerLoad) => readonly { taskType: string }[]) =>
    new Gauge({
      name,
      help,
      labelNames: ["task_type"],
      registers: [registry],
      collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const slot of slots(load())) counts.set(slot.taskType, (counts.get(slot.taskType) ?? 0) + 1);
        for (const [task_type, n] of counts) this.set({ task_type }, n);
      },
    });
  byType("vs3d_workers_running", "Tasks holding a slot on this node (each runs its worker), by task type", (l) => l.running);
  byType("vs3d_slots_waiting", "Tasks on this node waiting for a slot, by task type", (l) => l.waiting);
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const cores = (l: BrokerLoad, percentOfNode: number): number => (l.capacity.cores * percentOfNode) / 100;
