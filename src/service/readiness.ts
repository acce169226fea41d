import { Redis } from "ioredis";
import { detectionReadiness } from "../processors/image-ops/detect/detection-readiness.ts";
import { isStuck, type ProjectionStats } from "../projections/projection-stats.ts";
import type { Service } from "./service.ts";

/** `available`: set on informational entries (a capability, not a dependency), which never make the node unready. */
type Check = { ok: boolean; detail?: string; available?: boolean };

const settle = (p: Promise<unknown>): Promise<Check> =>
  p.then(
    () => ({ ok: true }),
    (e: unknown) => ({ ok: false, detail: e instanceof Error ? e.message : String(e) }),
  );

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
      checks.projections = projectionsCheck(service.projections.stats());
      checks.detection = await detectionReadiness(service.config.detectionModel);
      return checks;
    },
    async close() {
      await redis?.quit().catch(() => {});
    },
  };
}

/** Not ready while a projection this node runs is stuck (failing again and again at one event):
 * the results or progress of every task would be waiting behind it. */
export function projectionsCheck(all: readonly ProjectionStats[], now: number = Date.now()): Check {
  const stuck = all.filter((s) => isStuck(s, now));
  const parked = all.reduce((n, s) => n + s.parked, 0);
  const led = all.filter((s) => s.leader).map((s) => s.name);
  if (stuck.length) {
    return { ok: false, detail: stuck.map((s) => `${s.name} stuck after position ${s.failedAfter}: ${s.failuresInARow} failures in a row (${s.lastError ?? "no error"})`).join("; ") };
  }
  return { ok: true, detail: `leading ${led.length ? led.join(", ") : "none"}; ${parked} poison event(s) parked` };
}
