import { serve } from "@hono/node-server";
import { ConfigError, loadConfig } from "../config/config.ts";
import { createHttpApp } from "../http/app.ts";
import { dlqAccess } from "../infra/amqp/dlq-access.ts";
import { rateLimiterFor } from "../http/rate-limiter-from-config.ts";
import { createServiceLogger, keepOutputJson } from "../infra/logger.ts";
import { withHttpMetrics } from "../infra/metrics/http-metrics.ts";
import { readinessOf } from "./readiness.ts";
import { createService } from "./service.ts";
import { publishCancel, startControlConsumer } from "../intake/amqp-control.ts";

/** `npm start` / `vs3d serve`: the long-running service. */
export async function runServe(env: Record<string, string | undefined> = process.env): Promise<void> {
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createServiceLogger(config.logLevel);
  // From here on stdout carries JSON lines only: a dependency's notice becomes one of them.
  keepOutputJson(logger);
  const service = await createService(config, logger, {}, env);
  const readiness = readinessOf(service);
  const amqp = service.amqp;
  const limiter = rateLimiterFor(config);
  const app = createHttpApp({
    access: config.http,
    nodeId: config.nodeId,
    // The dashboard lists tasks.dlq and replays from it, as `vs3d dlq` does.
    ...(config.amqpUrl === undefined ? {} : { deadLetters: dlqAccess(config.amqpUrl) }),
    ...(limiter ? { rateLimiter: limiter.limiter } : {}),
    host: service.host,
    store: service.store,
    bus: service.bus,
    readiness: readiness.check,
    metrics: () => service.metrics.text(),
    // With several nodes, only the owner can stop a running task: broadcast the cancel.
    ...(amqp ? { cancel: async (taskId: string, reason: string) => (await publishCancel(amqp.link, taskId, reason), "requested" as const) } : {}),
  });
  const server = serve({ fetch: withHttpMetrics(app, service.metrics.registry).fetch, port: config.httpPort, hostname: config.http.host });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  logger.info(
    {
      port: config.httpPort,
      node_id: config.nodeId,
      event_store: config.eventStore.kind,
      storage: config.storage.kind,
      intake: service.amqp ? "amqp" : "http",
      http_host: config.http.host,
      api_keys: config.http.keys.size,
      http_intake: config.http.intake,
    },
    "service listening",
  );
  if (config.http.keys.size === 0) logger.warn({ http_host: config.http.host }, "no API_KEYS configured: the HTTP API listens on loopback only and asks no key");

  let control: { stop(): Promise<void> } | null = null;
  if (service.amqp) {
    // RabbitMQ owns who runs what: an unfinished task's delivery was never acked, so the broker
    // hands it out again and the taker resumes it from its stream. Resuming streams here as well
    // would take tasks over from the nodes still running them.
    void service.amqp.intake.start().catch((error: unknown) => logger.error({ err: error }, "intake failed to start"));
    control = startControlConsumer({ link: service.amqp.link, host: service.host, nodeId: config.nodeId, logger });
  } else {
    const { resumed, retrying } = await service.host.resumeUnfinished();
    if (resumed.length || retrying.length) logger.info({ resumed: resumed.length, retrying: retrying.length }, "unfinished tasks picked up");
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = config.shutdownGraceSeconds * 1000;
    // The deadline the orchestrator gives us: exit before it, whatever still hangs.
    setTimeout(() => {
      logger.error("shutdown grace exceeded: exiting");
      process.exit(1);
    }, graceMs).unref();
    logger.info({ signal, running: service.host.runningCount }, "shutting down");
    server.close();
    await service.amqp?.intake.stopConsuming();
    await control?.stop();
    // Tasks get most of the grace to record TaskInterrupted; their deliveries are then requeued.
    await service.host.shutdown(Math.max(0, graceMs * 0.7));
    await service.amqp?.intake.drain(Math.max(0, graceMs * 0.15));
    await readiness.close();
    await limiter?.close();
    await service.close();
    logger.info("stopped");
    process.exit(0);
  };
  // `on`, not `once`: execa's exit hook (signal-exit) re-raises a signal that no other listener
  // handles, which would kill the process mid-shutdown once a `once` listener has removed itself.
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}
