import type { StoredEvent } from "../ports/event-store.port.ts";

/** What an operator asks of a projection: is this node running it, how far behind is it, how much
 * has it sent, how often has it failed. */
export interface ProjectionStats {
  name: string;
  /** True while this node holds the projection's lock and runs it. */
  leader: boolean;
  handled: number;
  published: number;
  lastPosition: bigint | null;
  /** Age of the last handled event when it was handled, ms: the projection's lag. */
  lagMs: number | null;
  restarts: number;
  lastError: string | null;
  /** Poison events passed over (logged as ProjectionParked and, where there is a sink, parked). */
  parked: number;
  /** Consecutive failures at the same place (no event handled past it): a projection failing there
   * again and again is stuck — readiness says so — not merely restarting. */
  failuresInARow: number;
  /** Where the last failure happened: the last position handled before it ("start" if none). */
  failedAfter: string | null;
  /** When the current run started (ms since the epoch), null between runs. */
  runningSince: number | null;
}

/** Failures in a row at one place that make a projection stuck. */
export const STUCK_AFTER_FAILURES = 3;

/** Stuck: it keeps failing at the same place, and is not now in a run that has lasted (a long run
 * since the last failure means the cause went away, e.g. a dependency came back while idle). */
export function isStuck(stats: ProjectionStats, now: number = Date.now(), healthyRunMs = 30_000): boolean {
  if (stats.failuresInARow < STUCK_AFTER_FAILURES) return false;
  return stats.runningSince === null || now - stats.runningSince < healthyRunMs;
}

/** Records a failed run: counted in a row while it keeps failing at the same place. */
export function recordFailure(stats: ProjectionStats): void {
  const at = stats.lastPosition === null ? "start" : stats.lastPosition.toString();
  stats.failuresInARow = stats.failedAfter === at ? stats.failuresInARow + 1 : 1;
  stats.failedAfter = at;
}

/** The hook a projection reports through; cheap enough to call per event. */
export interface ProjectionHooks {
  handled(event: StoredEvent): void;
  published(): void;
  parked(): void;
}

export function createProjectionStats(name: string, now: () => number = Date.now): { stats: ProjectionStats; hooks: ProjectionHooks } {
  const stats: ProjectionStats = {
    name,
    leader: false,
    handled: 0,
    published: 0,
    lastPosition: null,
    lagMs: null,
    restarts: 0,
    lastError: null,
    parked: 0,
    failuresInARow: 0,
    failedAfter: null,
    runningSince: null,
  };
  return {
    stats,
    hooks: {
      handled(event) {
        stats.handled += 1;
        if (stats.failedAfter !== null && (stats.failedAfter === "start" || event.position > BigInt(stats.failedAfter))) {
          stats.failuresInARow = 0;
          stats.failedAfter = null;
        }
        stats.lastPosition = event.position;
        stats.lagMs = Math.max(0, now() - event.createdAt.getTime());
      },
      published() {
        stats.published += 1;
      },
      parked() {
        stats.parked += 1;
      },
    },
  };
}
