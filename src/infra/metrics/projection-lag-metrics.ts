import { Gauge, type Registry } from "prom-client";
import { TASK_STREAM_PREFIX } from "../../contracts/task-events.ts";
import type { ProjectionStats } from "../../projections/projection-stats.ts";
import type { CheckpointStore } from "../../ports/checkpoint-store.port.ts";
import type { EventStore } from "../../ports/event-store.port.ts";

export const PROJECTION_LAG_DEFAULTS = {
  /** Events behind are counted up to this many: past it the answer is "far behind", and a scrape
   * must not read the whole store. Default: 10000. */
  countUpTo: 10_000,
};

/** `vs3d_projection_lag_events`: task events in the store after the last one a projection handled.
 * The leader knows its position exactly; every other node reads the projection's saved checkpoint
 * (saved in batches, so it may show up to one batch more), so any node's scrape answers. Counted in
 * the task streams the projections read, not as a difference of positions: positions have gaps,
 * and the broker's events between two task events are nothing a projection has to do. */
export function registerProjectionLagMetrics(registry: Registry, o: { store: Pick<EventStore, "readAll">; checkpoints: CheckpointStore; stats: () => ProjectionStats[]; countUpTo?: number }): void {
  const countUpTo = o.countUpTo ?? PROJECTION_LAG_DEFAULTS.countUpTo;
  new Gauge({
    name: "vs3d_projection_lag_events",
    help: `Task events after the last one a projection handled (counted up to ${countUpTo})`,
    labelNames: ["projection"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of o.stats()) {
        const position = s.leader && s.lastPosition !== null ? s.lastPosition : await o.checkpoints.load(s.name).catch(() => undefined);
        if (position === undefined) continue; // the store is away: no number rather than a wrong one
        const behind = await o.store.readAll({ streamPrefix: TASK_STREAM_PREFIX, maxCount: countUpTo, ...(position === null ? {} : { after: position }) }).catch(() => undefined);
        if (behind !== undefined) this.set({ projection: s.name }, behind.length);
      }
    },
  });
}
