import { Redis } from "ioredis";
import { detectionReadiness } from "../processors/image-ops/detect/detection-readiness.ts";
import type { Service } from "./service.ts";

/** `available`: set on informational entries (a capability, not a dependency), which never make the node unready. */
type Check = { ok: boolean; detail?: string; available?: boolean };

const settle = (p: Promise<unknown>): Promise<Check> => p.then(() => ({ ok: true }), (e: unknown) => ({ ok: false, detail: e instanceof Error ? e.message : String(e) }));

/** `/health/ready`: one entry per dependency this node was configured with (DESIGN.md §6), so an
 * orchestrator can tell which one is down. Returns the check and a close for its own Redis client. */
export function readinessOf(service: Service): { check: () => Promise<Record<string, Check>>; close: () => Promise<void> } {
  const redisUrl = service.config.redisUrl;
  // A connection of its own: the bus's publisher may be mid-MULTI, and a ping there proves little.
  const redis = redisUrl === undefined ? null : new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  redis?.on("error", () => {});
  return {
    async check() {
      const checks: Record<string, Check> = {
        event_store: await settle(service.store.readAll({ maxCount: 1 })),
        storage: await settle(service.storage.list("health", "probe/")),
      };
      if (service.amqp) {
        const { link, intake } = service.amqp;
        checks.amqp = !link.isConnected()
          ? { ok: false, detail: "not connected to RabbitMQ (reconnecting)" }
          : intake.consuming
            ? { ok: true, detail: `${intake.inFlight} deliveries in hand` }
            : { ok: false, detail: "connected, not consuming (starting or stopping)" };
      }
      if (redis) checks.redis = await settle(redis.ping());
      checks.detection = await detectionReadiness(service.config.detectionModel);
      return checks;
    },
    async close() {
      await redis?.quit().catch(() => {});
    },
  };
}
