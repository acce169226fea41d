import { Redis, type RedisOptions } from "ioredis";
import { ProgressMessage } from "../../contracts/progress-message.ts";
import type { ProgressBus } from "../../ports/progress-bus.port.ts";
import { createCircuitBreaker, type CircuitBreaker } from "../storage/circuit-breaker.ts";
import { LAST_PROGRESS_TTL_SECONDS, warnProgressError, lastProgressKey } from "./progress-keys.ts";
import type { ReconnectNotifier } from "./reconnect-notifier.ts";

export const REDIS_PROGRESS_BUS_DEFAULTS = {
  /** TTL of `task:<id>:last_progress`. Default: 3600. */
  ttlSeconds: LAST_PROGRESS_TTL_SECONDS,
  /** Per-command retries while Redis is away; a progress update is not worth blocking a task for.
   * Default: 2. */
  maxRetriesPerRequest: 2,
  /** Default: 5000 ms. */
  connectTimeoutMs: 5000,
  /** Gets what a subscriber threw and messages on the channel that break the contract. Default: a
   * process warning. */
  onError: warnProgressError,
  /** Publishes/reads that fail in a row (after ioredis' own retries) before the circuit opens and
   * calls fail at once, so a dead Redis is not hammered. Default: 3. */
  breakerFailureThreshold: 3,
  /** How long the open circuit refuses calls before one trial. Default: 5000 ms. */
  breakerOpenMs: 5000,
};

export interface RedisProgressBusOptions extends Partial<typeof REDIS_PROGRESS_BUS_DEFAULTS> {
  /** redis:// or rediss:// URL. */
  url: string;
  /** Extra ioredis options for both connections. */
  redis?: ConnectionOptions;
}

/** ioredis types `replyMapping` in a way exactOptionalPropertyTypes rejects; this bus never sets it. */
type ConnectionOptions = Omit<RedisOptions, "replyMapping">;

type Handler = (message: ProgressMessage) => void;

/** Progress over Redis Pub/Sub (DESIGN.md §2). Publishing and storing the last message go in one
 * MULTI so a page that reconnects never reads a `last_progress` older than what it was sent. A Redis
 * connection in subscriber mode can issue no other commands, hence the second, lazily opened one. */
export function createRedisProgressBus(options: RedisProgressBusOptions): ProgressBus & ReconnectNotifier & { breaker: CircuitBreaker } {
  const ttl = options.ttlSeconds ?? REDIS_PROGRESS_BUS_DEFAULTS.ttlSeconds;
  const onError = options.onError ?? REDIS_PROGRESS_BUS_DEFAULTS.onError;
  const redisOptions: ConnectionOptions = {
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? REDIS_PROGRESS_BUS_DEFAULTS.maxRetriesPerRequest,
    connectTimeout: options.connectTimeoutMs ?? REDIS_PROGRESS_BUS_DEFAULTS.connectTimeoutMs,
    lazyConnect: true,
    ...options.redis,
  };
  const publisher = new Redis(options.url, redisOptions);
  // ioredis emits connection errors as events; without a listener Node would crash the process.
  publisher.on("error", () => {});
  // Redis keeps nothing on disk: once the connection is ready again after a loss, whoever knows
  // the current state is told, to write it back (last_progress of running tasks).
  const reconnectListeners = new Set<() => void>();
  let lost = false;
  publisher.on("close", () => {
    lost = true;
  });
  publisher.on("ready", () => {
    if (!lost) return;
    lost = false;
    for (const fn of reconnectListeners) fn();
  });
  // ioredis retries each command with backoff while it reconnects (maxRetriesPerRequest); past that,
  // the breaker stops every caller from queueing more commands at a Redis that is gone.
  const breaker = createCircuitBreaker({
    name: "redis",
    isFailure: isRedisOutage,
    failureThreshold: options.breakerFailureThreshold ?? REDIS_PROGRESS_BUS_DEFAULTS.breakerFailureThreshold,
    openMs: options.breakerOpenMs ?? REDIS_PROGRESS_BUS_DEFAULTS.breakerOpenMs,
  });
  let subscriber: Redis | undefined;
  const handlers = new Map<string, Set<Handler>>();

  function subscriberConnection(): Redis {
    if (subscriber !== undefined) return subscriber;
    const s = new Redis(options.url, redisOptions);
    s.on("error", () => {});
    s.on("message", (channel: string, raw: string) => {
      const set = handlers.get(channel);
      if (set === undefined) return;
      let message: ProgressMessage;
      try {
        message = ProgressMessage.parse(JSON.parse(raw));
      } catch (error) {
        return onError(error, channel);
      }
      for (const fn of set) {
        try {
          fn(message);
        } catch (error) {
          onError(error, channel);
        }
      }
    });
    return (subscriber = s);
  }

  return {
    async publish(channel, message) {
      const json = JSON.stringify(ProgressMessage.parse(message));
      await breaker.run(async () => {
        const results = await publisher.multi().publish(channel, json).set(lastProgressKey(message.task_id), json, "EX", ttl).exec();
        const failed = results?.find(([error]) => error !== null)?.[0];
        if (failed) throw failed;
      });
    },

    async last(taskId) {
      const raw = await breaker.run(() => publisher.get(lastProgressKey(taskId)));
      if (raw === null) return null;
      const parsed = ProgressMessage.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    },

    async subscribe(channel, onMessage) {
      const s = subscriberConnection();
      const fn: Handler = (m) => onMessage(m);
      let set = handlers.get(channel);
      if (set === undefined) {
        set = new Set();
        handlers.set(channel, set);
        // Resolves once Redis confirms, so nothing published after this returns is missed.
        await s.subscribe(channel);
      }
      set.add(fn);
      return async () => {
        const current = handlers.get(channel);
        if (current === undefined || !current.delete(fn) || current.size > 0) return;
        handlers.delete(channel);
        await s.unsubscribe(channel);
      };
    },

    breaker,

    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => void reconnectListeners.delete(listener);
    },

    async close() {
      reconnectListeners.clear();
      handlers.clear();
      await Promise.allSettled([publisher.quit(), subscriber?.quit()]);
    },
  };
}

/** A reply error (WRONGTYPE, a script error) is Redis answering; anything else — a closed
 * connection, retries exhausted, a refused socket — is Redis being away. */
function isRedisOutage(error: unknown): boolean {
  return !(error instanceof Error && error.name === "ReplyError");
}
