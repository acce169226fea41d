import type { ProgressBus } from "../../ports/progress-bus.port.ts";
import { createInProcessProgressBus } from "./in-process-progress-bus.ts";
import { createRedisProgressBus } from "./redis-progress-bus.ts";

/** Redis Pub/Sub when REDIS_URL is set, else in-process (DESIGN.md §6). */
export function createProgressBusFromConfig(config: { redisUrl: string | undefined }): ProgressBus {
  return config.redisUrl === undefined ? createInProcessProgressBus() : createRedisProgressBus({ url: config.redisUrl });
}
