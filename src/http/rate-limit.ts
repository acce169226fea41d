import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

/** A sliding-window limit: at most `limit` hits per `windowMs` for one key. */
export interface RateLimiter {
  /** Records a hit; `retryAfterSeconds` when over the limit (the hit is then not counted). */
  hit(key: string): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }>;
}

/** One process's memory: per key, the times of its hits inside the window. */
export function inMemoryRateLimiter(limit: number, windowMs = 60_000, now: () => number = Date.now): RateLimiter {
  const hits = new Map<string, number[]>();
  return {
    hit(key) {
      const t = now();
      const recent = (hits.get(key) ?? []).filter((at) => at > t - windowMs);
      if (recent.length >= limit) {
        hits.set(key, recent);
        return Promise.resolve({ allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((recent[0]! + windowMs - t) / 1000)) });
      }
      recent.push(t);
      hits.set(key, recent);
      // Keys that went quiet are forgotten, so the map cannot grow without bound.
      if (hits.size > 10_000) for (const [k, v] of hits) if (v.every((at) => at <= t - windowMs)) hits.delete(k);
      return Promise.resolve({ allowed: true });
    },
  };
}

/** Shared by every node: a sorted set of hit times per key in Redis, trimmed and counted in one
 * Lua call so two nodes cannot both let the limit's last request through. Members are unique per
 * hit (two nodes may hit in the same millisecond). */
export function redisRateLimiter(redis: Redis, limit: number, windowMs = 60_000, now: () => number = Date.now): RateLimiter {
  const script = `
local key, now, window, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2])}
end
redis.call('ZADD', key, now, member)
redis.call('PEXPIRE', key, window)
return {1, 0}`;
  return {
    async hit(key) {
      const t = now();
      const [ok, oldest] = (await redis.eval(script, 1, `vs3d:ratelimit:${key}`, t, windowMs, limit, `${t}-${randomUUID()}`)) as [number, number];
      return ok === 1 ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowMs - t) / 1000)) };
    },
  };
}
