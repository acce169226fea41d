import { serve } from "@hono/node-server";
import { ConfigError, loadConfig } from "../config/config.ts";
import { createHttpApp } from "../http/app.ts";
import { createLogger } from "../infra/logger.ts";
import { createService } from "./service.ts";

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
  const logger = createLogger({ level: config.logLevel });
  const service = await createService(config, logger);
  const app = createHttpApp({
    host: service.host,
    store: service.store,
    bus: service.bus,
    readiness: async () => ({
      event_store: await service.store.readAll({ maxCount: 1 }).then(() => ({ ok: true }), (e: unknown) => ({ ok: false, detail: String(e) })),
      storage: await service.storage.list("health", "probe/").then(() => ({ ok: true }), (e: unknown) => ({ ok: false, detail: String(e) })),
    }),
  });
  const server = serve({ fetch: app.fetch, port: config.httpPort, hostname: "0.0.0.0" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  logger.info({ port: config.httpPort, node_id: config.nodeId, event_store: config.eventStore.kind, storage: config.storage.kind }, "service listening");

  const { resumed, retrying } = await service.host.resumeUnfinished();
  if (resumed.length || retrying.length) logger.info({ resumed: resumed.length, retrying: retrying.length }, "unfinished tasks picked up");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, running: service.host.runningCount }, "shutting down");
    server.close();
    await service.host.shutdown(config.shutdownGraceSeconds * 1000);
    await service.close();
    logger.info("stopped");
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}
