import type { StoredEvent } from "../infra/ports/event-store.port.ts";

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
}

/** The hook a projection reports through; cheap enough to call per event. */
export interface ProjectionHooks {
  handled(event: StoredEvent): void;
  published(): void;
}

export function createProjectionStats(name: string, now: () => number = Date.now): { stats: ProjectionStats; hooks: ProjectionHooks } {
  const stats: ProjectionStats = { name, leader: false, handled: 0, published: 0, lastPosition: null, lagMs: null, restarts: 0, lastError: null };
  return {
    stats,
    hooks: {
      handled(event) {
        stats.handled += 1;
        stats.lastPosition = event.position;
        stats.lagMs = Math.max(0, now() - event.createdAt.getTime());
      },
      published() {
        stats.published += 1;
      },
    },
  };
}
