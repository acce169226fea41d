import type { Logger } from "../infra/logger.ts";
import type { CheckpointStore } from "../ports/checkpoint-store.port.ts";
import type { EventStore } from "../ports/event-store.port.ts";
import type { Leadership } from "../ports/leadership.port.ts";
import type { ProgressBus } from "../ports/progress-bus.port.ts";
import type { ResultPublisher } from "../ports/result-publisher.port.ts";
import { reconnectNotifierOf } from "../infra/progress/reconnect-notifier.ts";
import { createLastProgressMemory } from "./last-progress-memory.ts";
import { runProgressProjection } from "./progress.projection.ts";
import { createProjectionStats, type ProjectionStats } from "./projection-stats.ts";
import { runResultsProjection, type ParkedResultEvent } from "./results.projection.ts";
import { superviseProjection, SUPERVISE_DEFAULTS } from "./supervise-projection.ts";
import type { WebhookSettings } from "../config/webhook-settings.ts";
import { runWebhookProjection } from "../webhooks/webhook.projection.ts";
import { runTaskLogProjection } from "./task-log.projection.ts";

export interface StartProjectionsOptions {
  store: EventStore;
  checkpoints: CheckpointStore;
  leadership: Leadership;
  bus: ProgressBus;
  /** Results go out only where a publisher exists (AMQP mode); without one no node claims the lock. */
  results?: ResultPublisher;
  /** Where results that can never be delivered are parked (AMQP mode: tasks.dlq). */
  parkResult?: (parked: ParkedResultEvent) => Promise<void>;
  /** Task webhooks are delivered where settings with a secret exist. */
  webhooks?: WebhookSettings;
  logger: Logger;
  /** Stops every projection; the returned `done` resolves once they have stopped. */
  signal: AbortSignal;
  /** Appears in the logs, to tell which node leads which projection. */
  nodeId: string;
  /** Progress events older than this are folded, not published. Default: 60000. */
  progressMaxAgeMs?: number;
  /** Results re-sent after a crash at most (the checkpoint interval). Default: 50. */
  resultsCheckpointEveryEvents?: number;
  /** Default: 1000. */
  initialBackoffMs?: number;
  /** Default: 30000. */
  maxBackoffMs?: number;
}

export const START_PROJECTIONS_DEFAULTS = {
  progressMaxAgeMs: 60_000,
  resultsCheckpointEveryEvents: 50,
  ...SUPERVISE_DEFAULTS,
} as const;

export const PROJECTION_NAMES = { progress: "projection:progress", results: "projection:results", taskLog: "projection:task-log", webhooks: "projection:webhooks" } as const;

export interface RunningProjections {
  /** Resolves when every projection has stopped after `signal` aborted; never rejects. */
  done: Promise<void>;
  /** A snapshot per projection (leader here?, handled, published, parked, lag, restarts, stuck). */
  stats: () => ProjectionStats[];
}

/** Runs the Redis progress, the AMQP results and the task log projections (DESIGN.md §1), each only while this
 * node holds its lock, each from its stored checkpoint, restarted with backoff after a failure. */
export function startProjections(o: StartProjectionsOptions): RunningProjections {
  const backoff = {
    initialBackoffMs: o.initialBackoffMs ?? START_PROJECTIONS_DEFAULTS.initialBackoffMs,
    maxBackoffMs: o.maxBackoffMs ?? START_PROJECTIONS_DEFAULTS.maxBackoffMs,
  };
  const common = { leadership: o.leadership, logger: o.logger, signal: o.signal, nodeId: o.nodeId, ...backoff };
  const all: { stats: ProjectionStats; done: Promise<void> }[] = [];

  const progress = createProjectionStats(PROJECTION_NAMES.progress);
  // After Redis restarts empty, the leader of the progress projection writes back the last
  // progress of every running task at once (it would otherwise wait for each task's next event).
  const memory = createLastProgressMemory();
  const stopListening = reconnectNotifierOf(o.bus)?.onReconnect(() => {
    if (!progress.stats.leader || memory.size === 0) return;
    void memory.rewrite(o.bus, o.logger).then((n) => o.logger.info({ rewritten: n }, "progress bus reconnected: last progress of running tasks written again"));
  });
  o.signal.addEventListener("abort", () => stopListening?.(), { once: true });
  all.push({
    stats: progress.stats,
    done: superviseProjection({
      ...common,
      name: PROJECTION_NAMES.progress,
      stats: progress.stats,
      run: (signal) =>
        runProgressProjection({
          store: o.store,
          bus: o.bus,
          logger: o.logger,
          signal,
          checkpoints: o.checkpoints,
          name: PROJECTION_NAMES.progress,
          maxAgeMs: o.progressMaxAgeMs ?? START_PROJECTIONS_DEFAULTS.progressMaxAgeMs,
          hooks: progress.hooks,
          memory,
        }),
    }),
  });

  const results = o.results;
  if (results) {
    const r = createProjectionStats(PROJECTION_NAMES.results);
    all.push({
      stats: r.stats,
      done: superviseProjection({
        ...common,
        name: PROJECTION_NAMES.results,
        stats: r.stats,
        run: (signal) =>
          runResultsProjection({
            store: o.store,
            checkpoints: o.checkpoints,
            results,
            logger: o.logger,
            signal,
            name: PROJECTION_NAMES.results,
            checkpointEveryEvents: o.resultsCheckpointEveryEvents ?? START_PROJECTIONS_DEFAULTS.resultsCheckpointEveryEvents,
            hooks: r.hooks,
            ...(o.parkResult ? { park: o.parkResult } : {}),
          }),
      }),
    });
  }

  // One log line per task fact, on the one node that holds this lock (DESIGN.md's logs, issue 15).
  const taskLog = createProjectionStats(PROJECTION_NAMES.taskLog);
  all.push({
    stats: taskLog.stats,
    done: superviseProjection({
      ...common,
      name: PROJECTION_NAMES.taskLog,
      stats: taskLog.stats,
      run: (signal) => runTaskLogProjection({ store: o.store, checkpoints: o.checkpoints, logger: o.logger, signal, name: PROJECTION_NAMES.taskLog, hooks: taskLog.hooks }),
    }),
  });

  const webhooks = o.webhooks;
  if (webhooks && (webhooks.defaultSecret !== undefined || webhooks.tenantSecrets.size > 0)) {
    const w = createProjectionStats(PROJECTION_NAMES.webhooks);
    all.push({
      stats: w.stats,
      done: superviseProjection({
        ...common,
        name: PROJECTION_NAMES.webhooks,
        stats: w.stats,
        run: (signal) => runWebhookProjection({ store: o.store, checkpoints: o.checkpoints, settings: webhooks, logger: o.logger, signal, name: PROJECTION_NAMES.webhooks, hooks: w.hooks }),
      }),
    });
  }

  return {
    done: Promise.all(all.map((p) => p.done.catch((error: unknown) => o.logger.error({ err: error }, "projection supervisor failed")))).then(() => {}),
    stats: () => all.map((p) => ({ ...p.stats })),
  };
}
