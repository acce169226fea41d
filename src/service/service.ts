import type { Config } from "../config/config.ts";
import { createResourceBroker } from "../broker/resource-broker.ts";
import { loadWeights } from "../broker/weights-config.ts";
import { createIoLimiter } from "../infra/storage/io-limiter.ts";
import { limitTransfers } from "../infra/storage/limited-storage.ts";
import { withStorageBreaker } from "../infra/storage/resilient-storage.ts";
import { TaskHost } from "../actors/task-host.ts";
import { attachWarmWorkers, drainWarmWorkers } from "../actors/worker/child-worker.ts";
import type { TaskRuntime } from "../actors/task-runtime.ts";
import { createTimerRetryScheduler } from "../actors/timer-retry-scheduler.ts";
import { startLiveInspection } from "../actors/inspection.ts";
import { openEventStore } from "../infra/event-store/index.ts";
import { withAppendRetry } from "../infra/event-store/append-retry.ts";
import { sleep } from "../shared/abortable-sleep.ts";
import type { Logger } from "../infra/logger.ts";
import type { EventStore } from "../ports/event-store.port.ts";
import type { ProgressBus } from "../ports/progress-bus.port.ts";
import type { SlotBroker } from "../ports/slot-broker.port.ts";
import type { ObjectStorage } from "../ports/storage.port.ts";
import { createProgressBusFromConfig } from "../infra/progress/progress-bus-from-config.ts";
import type { AmqpIntake } from "../intake/amqp-intake.ts";
import type { AmqpLink } from "../infra/amqp/amqp-link.ts";
import { createStorageFromConfig } from "../infra/storage/storage-from-config.ts";
import { loadProcessorRegistry } from "../processors/registry.ts";
import { startProjections, type RunningProjections } from "../projections/start-projections.ts";
import type { ParkedResultEvent } from "../projections/results.projection.ts";
import { createMetrics, type Metrics } from "../infra/metrics/metrics.ts";
import { runMetricsSubscriber } from "../infra/metrics/metrics-subscriber.ts";
import { acquireDataDirLock } from "./data-dir-lock.ts";
import { amqpMode } from "./amqp-mode.ts";
import { registerProjectionMetrics } from "./projection-metrics.ts";
import { registerBrokerMetrics } from "../infra/metrics/broker-metrics.ts";
import { registerProjectionLagMetrics } from "../infra/metrics/projection-lag-metrics.ts";
import { registerQueueMetrics, watchedQueues } from "../infra/metrics/queue-metrics.ts";

export interface Service {
  config: Config;
  store: EventStore;
  storage: ObjectStorage;
  bus: ProgressBus;
  host: TaskHost;
  logger: Logger;
  metrics: Metrics;
  /** The projections this node runs when it holds their locks: stats for readiness and metrics. */
  projections: RunningProjections;
  /** AMQP mode only (AMQP_URL set): the broker link and the task intake, started by serve. */
  amqp?: { link: AmqpLink; intake: AmqpIntake };
  /** Stops intake-independent parts: projections, retry timers, adapters. Tasks first via host.shutdown. */
  close(): Promise<void>;
}

export interface ServiceOverrides {
  workerMode?: "child" | "inline";
  broker?: SlotBroker;
  bus?: ProgressBus;
  storage?: ObjectStorage;
}

/** The composition root: adapters chosen by config, wired into the task host and the projections. */
export async function createService(config: Config, logger: Logger, overrides: ServiceOverrides = {}, env: Record<string, string | undefined> = process.env): Promise<Service> {
  const registry = await loadProcessorRegistry(config.processorModules);
  // Resource profiles: DESIGN.md's table, then each processor's own profile, then the operator's
  // file/env overrides (VS3D_BROKER_WEIGHTS_FILE, VS3D_BROKER_WEIGHTS) — timeouts included.
  const weights = loadWeights({ env, base: Object.fromEntries([...registry.values()].map((d) => [d.taskType, d.profile])) });
  // Everything that can refuse the configuration runs before the store is locked and opened.
  const releaseLock = config.eventStore.kind === "pglite" ? await acquireDataDirLock(config.eventStore.dataDir) : async () => {};
  const opened = await openEventStore(storeUrl(config)).catch(async (error: unknown) => {
    await releaseLock();
    throw error;
  });
  // A short store outage (a PostgreSQL restart) must not interrupt running workers: their appends
  // wait it out, for as long as a shutdown may take (SHUTDOWN_GRACE_SECONDS), then fail.
  const store = withAppendRetry(opened, {
    maxElapsedMs: config.shutdownGraceSeconds * 1000,
    onRetry: (error, attempt, streamId) => {
      if (attempt === 1 || attempt % 10 === 0) logger.warn({ err: error, stream: streamId, attempt }, "event store unreachable: retrying the append");
    },
  });
  // Transfers wait in the I/O limiter (never a CPU slot); behind it a breaker stops calls to a
  // storage that keeps failing, and head/list retry a transient failure.
  const storage = limitTransfers(
    withStorageBreaker(overrides.storage ?? (await createStorageFromConfig(config.storage)), {
      onStateChange: (state) => logger.warn({ state }, `object storage circuit ${state}`),
    }),
    createIoLimiter({ maxConcurrent: config.ioConcurrency }),
  );
  const bus = overrides.bus ?? createProgressBusFromConfig(config);
  const stop = new AbortController();
  // Opt-in: task and broker actors stream to a Stately inspector (README: watching tasks live).
  const inspection = config.statelyInspect === undefined ? null : await startLiveInspection(config.statelyInspect);
  // The resource broker packs tasks onto this node's CPU and RAM; its grants go to broker-<node_id>.
  const resourceBroker = overrides.broker
    ? null
    : createResourceBroker({
        nodeId: config.nodeId,
        append: (streamId, events) => store.append(streamId, events, { expectedRevision: "any" }),
        weights,
        onError: (error) => logger.warn({ err: error }, "resource broker"),
        ...(inspection ? { inspect: inspection.inspect } : {}),
      });
  const broker = overrides.broker ?? resourceBroker!;
  // Idle warm workers' RAM is in the broker's accounting; an injected broker accounts for none.
  const detachWarmWorkers = resourceBroker ? attachWarmWorkers(resourceBroker) : drainWarmWorkers;

  // The host and the retry scheduler need each other: the scheduler is made first and resubmits
  // through the host once it exists (a retry due before then waits for it, never lost).
  const timers = createTimerRetryScheduler(undefined, {
    onError: (error, task) => logger.warn({ task_id: task.task_id, err: error }, "retry resubmit failed: trying again"),
  });
  const amqp = config.amqpUrl === undefined ? null : amqpMode({ url: config.amqpUrl, logger, retryDelaysSeconds: config.retryDelaysSeconds, prefetch: config.amqpPrefetch });
  const retry = amqp?.retry ?? timers;
  const runtime: TaskRuntime = {
    store,
    storage,
    broker,
    registry,
    retry,
    logger,
    workRoot: config.workDir,
    workerMode: overrides.workerMode ?? "child",
    extraProcessorModules: config.processorModules,
    retryDelaysSeconds: config.retryDelaysSeconds,
    tenantPrefix: config.tenantPrefix,
    webhooks: config.webhooks,
    profileOf: (taskType) => weights[taskType],
    inspect: inspection?.inspect,
  };
  // Embedded mode resumes a task whose run crashed (its store stayed away too long); with RabbitMQ
  // the unacked delivery comes back to some node instead.
  const host = new TaskHost(runtime, amqp ? {} : { resumeAfterCrashMs: 2000 });
  timers.deliverTo((task) => host.submit(task));
  const intake = amqp?.createIntake(host);
  const taskHost = host;
  const metrics = createMetrics({ runningTasks: () => taskHost.runningCount });
  // The metrics subscriber reads the store too: after a store outage it starts again.
  const metricsRun = (async () => {
    for (let backoffMs = 2000; !stop.signal.aborted; backoffMs = Math.min(30_000, backoffMs * 2)) {
      const startedAt = Date.now();
      await runMetricsSubscriber(store, metrics, stop.signal).catch((error: unknown) => {
        if (!stop.signal.aborted) logger.warn({ err: error, retry_in_ms: backoffMs }, "metrics subscriber stopped: restarting");
      });
      if (Date.now() - startedAt > 60_000) backoffMs = 2000;
      await sleep(backoffMs, stop.signal);
    }
  })();

  // Projections are subscribers with checkpoints; each runs on one node at a time (its lock).
  const projections = startProjections({
    store,
    checkpoints: store.checkpoints,
    leadership: store.leadership,
    bus,
    ...(amqp
      ? { results: amqp.results, parkResult: (p: ParkedResultEvent) => amqp.results.park({ queue: p.queue, message: p.message, messageId: p.event.id, reason: p.reason, projection: p.projection }) }
      : {}),
    webhooks: config.webhooks,
    logger,
    signal: stop.signal,
    nodeId: config.nodeId,
  });

  registerProjectionMetrics(metrics.registry, projections.stats);
  registerProjectionLagMetrics(metrics.registry, { store, checkpoints: store.checkpoints, stats: projections.stats });
  if (resourceBroker) registerBrokerMetrics(metrics.registry, () => resourceBroker.load());
  if (amqp) registerQueueMetrics(metrics.registry, amqp.link, watchedQueues(config.retryDelaysSeconds));

  return {
    config,
    store,
    storage,
    bus,
    host,
    logger,
    metrics,
    projections,
    ...(amqp && intake ? { amqp: { link: amqp.link, intake } } : {}),
    async close() {
      timers.cancelAll();
      stop.abort();
      await detachWarmWorkers();
      await resourceBroker?.stop();
      await projections.done;
      await metricsRun;
      await amqp?.link.close();
      await bus.close();
      await store.close();
      inspection?.stop();
      await releaseLock();
    },
  };
}

function storeUrl(config: Config): string {
  return config.eventStore.kind === "pglite" ? config.eventStore.dataDir : config.eventStore.url;
}
