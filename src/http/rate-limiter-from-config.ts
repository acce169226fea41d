import { Redis } from "ioredis";
import type { Config } from "../config/config.ts";
import { inMemoryRateLimiter, redisRateLimiter, type RateLimiter } from "./rate-limit.ts";

/** The HTTP rate limiter this node uses: shared through Redis when REDIS_URL is set (every node
 * counts the same window), else this process's memory; none when RATE_LIMIT_PER_MINUTE is 0. */
export function rateLimiterFor(config: Config): { limiter: RateLimiter; close(): Promise<void> } | null {
  const limit = config.http.ratePerMinute;
  if (limit === 0) return null;
  if (config.redisUrl === undefined) return { limiter: inMemoryRateLimiter(limit), close: async () => {} };
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: false });
  redis.on("error", () => {});
  const shared = redisRateLimiter(redis, limit);
  const local = inMemoryRateLimiter(limit);
  return {
    // Redis down: count in memory rather than refuse every request or let all through.
    limiter: { hit: (key) => shared.hit(key).catch(() => local.hit(key)) },
    close: async () => void (await redis.quit().catch(() => {})),
  };
}
