import { abortReason } from "../../shared/abort-reason.ts";

/** Downloads and uploads are I/O, not CPU (DESIGN.md §5): they hold no broker slot, only a place in
 * this limiter, so a burst of transfers cannot saturate the link or the disk. */

export interface IoLimiterOptions {
  /** Transfers at once. Default: 4. */
  maxConcurrent?: number;
}

export const IO_LIMITER_DEFAULTS = { maxConcurrent: 4 } as const;

export interface IoLimiter {
  /** Runs `fn` when a place is free; a signal aborted while waiting rejects with its reason and never runs `fn`. */
  run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  readonly active: number;
  readonly waiting: number;
}

export function createIoLimiter(options: IoLimiterOptions = {}): IoLimiter {
  const max = options.maxConcurrent ?? IO_LIMITER_DEFAULTS.maxConcurrent;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxConcurrent must be a positive integer, got ${max}`);
  let active = 0;
  const queue: Array<() => void> = [];

  const acquire = (signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (active < max) {
      active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const start = (): void => {
        signal?.removeEventListener("abort", onAbort);
        active++;
        resolve();
      };
      const onAbort = (): void => {
        queue.splice(queue.indexOf(start), 1);
        reject(abortReason(signal!));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      queue.push(start);
    });
  };
  const releaseOne = (): void => {
    active--;
    queue.shift()?.();
  };

  return {
    async run(fn, signal) {
      await acquire(signal);
      try {
        return await fn();
      } finally {
        releaseOne();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}
