import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export const METRICS_DEFAULTS = {
  /** How often the event-loop lag is sampled, ms. */
  eventLoopSampleMs: 100,
} as const;

/** The service's Prometheus metrics, on a registry of its own (several services in one test process
 * must not share a global registry). */
export function createMetrics(options: { runningTasks: () => number }) {
  const registry = new Registry();
  // The event-loop lag histogram samples with a timer; prom-client's 10 ms one woke the idle
  // service 100 times a second (~1.2 % of a core, the most an idle service spent). Lag is still
  // measured in full at 100 ms, only sampled less often.
  collectDefaultMetrics({ register: registry, prefix: "vs3d_", eventLoopMonitoringPrecision: METRICS_DEFAULTS.eventLoopSampleMs });
  const events = new Counter({ name: "vs3d_task_events_total", help: "Task events appended, by type and task type", labelNames: ["type", "task_type"], registers: [registry] });
  const finished = new Counter({
    name: "vs3d_tasks_finished_total",
    help: "Tasks that reached their end, once per task: completed, failed, cancelled or dead_lettered",
    labelNames: ["task_type", "outcome", "code"],
    registers: [registry],
  });
  const retries = new Counter({ name: "vs3d_task_retries_total", help: "Failed attempts that were scheduled for a retry, by error code", labelNames: ["task_type", "code"], registers: [registry] });
  const duration = new Histogram({
    name: "vs3d_task_duration_seconds",
    help: "Time from acceptance to the task's end, for every outcome",
    labelNames: ["task_type", "outcome"],
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 1800, 3600],
    registers: [registry],
  });
  const stageDuration = new Histogram({
    name: "vs3d_stage_duration_seconds",
    help: "Time from StageStarted to StageCompleted",
    labelNames: ["task_type", "stage"],
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  const slotWait = new Histogram({
    name: "vs3d_slot_wait_seconds",
    help: "Time a task waited for its CPU/RAM slot, from SlotRequested to SlotGranted",
    labelNames: ["task_type"],
    buckets: [0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
    registers: [registry],
  });
  new Gauge({
    name: "vs3d_tasks_running",
    help: "Tasks this node is running now",
    registers: [registry],
    collect() {
      this.set(options.runningTasks());
    },
  });
  return { registry, events, finished, retries, duration, stageDuration, slotWait, text: () => registry.metrics() };
}
export type Metrics = ReturnType<typeof createMetrics>;
