import { Gauge, type Registry } from "prom-client";
import { isStuck, type ProjectionStats } from "../projections/projection-stats.ts";

/** Projection health on /metrics, read from the projections' stats at scrape time: parked poison
 * events, restarts, whether one is stuck, and its lag, by projection. */
export function registerProjectionMetrics(registry: Registry, stats: () => ProjectionStats[]): void {
  const gauge = (name: string, help: string, value: (s: ProjectionStats) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ["projection"],
      registers: [registry],
      collect() {
        for (const s of stats()) {
          const v = value(s);
          if (v !== null) this.set({ projection: s.name }, v);
        }
      },
    });
  gauge("vs3d_projection_parked_events", "Poison events a projection passed over (parked or skipped), since start", (s) => s.parked);
  gauge("vs3d_projection_restarts", "Projection runs that failed or ended, since start", (s) => s.restarts);
  gauge("vs3d_projection_stuck", "1 when a projection keeps failing at the same event", (s) => (isStuck(s) ? 1 : 0));
  gauge("vs3d_projection_leader", "1 while this node runs the projection", (s) => (s.leader ? 1 : 0));
  gauge("vs3d_projection_lag_seconds", "Age of the last handled event when it was handled", (s) => (s.lagMs === null ? null : s.lagMs / 1000));
}
