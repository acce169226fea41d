import type { Logger } from "../infra/logger.ts";
import type { Leadership } from "../ports/leadership.port.ts";
import { sleep } from "../shared/abortable-sleep.ts";
import { textOf } from "../shared/text-of.ts";
import { recordFailure, type ProjectionStats } from "./projection-stats.ts";

export interface SuperviseOptions {
  name: string;
  leadership: Leadership;
  /** One run of the projection; returns when its signal aborts. */
  run: (signal: AbortSignal) => Promise<void>;
  logger: Logger;
  signal: AbortSignal;
  nodeId: string;
  stats: ProjectionStats;
  /** First wait after a failure, doubled per consecutive failure. Default: 1000. */
  initialBackoffMs?: number;
  /** Default: 30000. */
  maxBackoffMs?: number;
}

export const SUPERVISE_DEFAULTS = { initialBackoffMs: 1000, maxBackoffMs: 30_000 } as const;

/** Keeps one projection running on this node whenever it holds the projection's lock: waits for
 * the lock, runs, and after a failure (or a run that ends on its own) waits with exponential
 * backoff and goes again. The lock is released while it waits, so another node may take over.
 * Resolves once `signal` aborts. */
export async function superviseProjection(o: SuperviseOptions): Promise<void> {
  const initial = o.initialBackoffMs ?? SUPERVISE_DEFAULTS.initialBackoffMs;
  const max = o.maxBackoffMs ?? SUPERVISE_DEFAULTS.maxBackoffMs;
  const log = o.logger.child({ projection: o.name, node_id: o.nodeId });
  let backoff = initial;
  while (!o.signal.aborted) {
    let startedAt = 0;
    let failure: unknown = null;
    try {
      await o.leadership.run(
        o.name,
        async (signal) => {
          startedAt = Date.now();
          o.stats.leader = true;
          o.stats.runningSince = startedAt;
          log.info("leading projection");
          try {
            await o.run(signal);
          } finally {
            o.stats.leader = false;
            o.stats.runningSince = null;
            if (!o.signal.aborted) log.info(signal.aborted ? "lost projection lock" : "projection run ended");
          }
        },
        o.signal,
      );
    } catch (error) {
      failure = error;
    }
    if (o.signal.aborted) return;
    // A run that lasted longer than the longest backoff was healthy: start the count again.
    if (startedAt > 0 && Date.now() - startedAt > max) backoff = initial;
    o.stats.restarts += 1;
    recordFailure(o.stats);
    o.stats.lastError = failure === null ? "run ended without an error" : failure instanceof Error ? failure.message : textOf(failure);
    log.error({ err: failure, retry_in_ms: backoff }, "projection failed; restarting after backoff");
    await sleep(backoff, o.signal);
    backoff = Math.min(max, backoff * 2);
  }
}
