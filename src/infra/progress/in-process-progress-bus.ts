import { ProgressMessage } from "../../contracts/progress-message.ts";
import type { ProgressBus } from "../../ports/progress-bus.port.ts";
import { asPromise } from "../../shared/as-promise.ts";
import { LAST_PROGRESS_TTL_SECONDS, warnProgressError } from "./progress-keys.ts";

export const IN_PROCESS_PROGRESS_BUS_DEFAULTS = {
  /** How long `last` keeps a task's latest message, as the Redis key's TTL. Default: 3600. */
  ttlSeconds: LAST_PROGRESS_TTL_SECONDS,
  /** Clock for the TTL. Default: Date.now. */
  now: (): number => Date.now(),
  /** Gets what a subscriber threw; the bus itself carries on. Default: a process warning. */
  onError: warnProgressError,
};

export type InProcessProgressBusOptions = Partial<typeof IN_PROCESS_PROGRESS_BUS_DEFAULTS>;

/** The embedded progress bus: Pub/Sub semantics without a server. Subscribers get a copy of each
 * message after `publish` returns, as they would from Redis, so a slow or throwing subscriber can
 * neither block the task nor change what others (or `last`) see. */
export function createInProcessProgressBus(options: InProcessProgressBusOptions = {}): ProgressBus {
  const ttlMs = (options.ttlSeconds ?? IN_PROCESS_PROGRESS_BUS_DEFAULTS.ttlSeconds) * 1000;
  const now = options.now ?? IN_PROCESS_PROGRESS_BUS_DEFAULTS.now;
  const onError = options.onError ?? IN_PROCESS_PROGRESS_BUS_DEFAULTS.onError;
  const subscribers = new Map<string, Set<(message: ProgressMessage) => void>>();
  const lastByTask = new Map<string, { json: string; expiresAt: number }>();
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new Error("progress bus is closed");
  };

  return {
    publish(channel, message) {
      return asPromise(() => {
        assertOpen();
        const json = JSON.stringify(ProgressMessage.parse(message));
        lastByTask.set(message.task_id, { json, expiresAt: now() + ttlMs });
        for (const [taskId, entry] of lastByTask) if (entry.expiresAt <= now()) lastByTask.delete(taskId);
        for (const fn of subscribers.get(channel) ?? []) {
          setImmediate(() => {
            if (closed || !subscribers.get(channel)?.has(fn)) return;
            try {
              fn(JSON.parse(json) as ProgressMessage);
            } catch (error) {
              onError(error, channel);
            }
          });
        }
      });
    },

    last(taskId) {
      return asPromise(() => {
        const entry = lastByTask.get(taskId);
        if (entry === undefined) return null;
        if (entry.expiresAt <= now()) {
          lastByTask.delete(taskId);
          return null;
        }
        return JSON.parse(entry.json) as ProgressMessage;
      });
    },

    subscribe(channel, onMessage) {
      return asPromise(() => {
        assertOpen();
        // Wrapped so the same function subscribed twice is two subscriptions, as with Redis listeners.
        const fn = (m: ProgressMessage) => onMessage(m);
        const set = subscribers.get(channel) ?? new Set();
        subscribers.set(channel, set.add(fn));
        return () => {
          set.delete(fn);
          if (set.size === 0 && subscribers.get(channel) === set) subscribers.delete(channel);
          return Promise.resolve();
        };
      });
    },

    close() {
      closed = true;
      subscribers.clear();
      return Promise.resolve();
    },
  };
}
