import type { Leadership } from "../../ports/leadership.port.ts";
import { sleep } from "../../shared/abortable-sleep.ts";

/** A held lock: `lost` aborts when the holder can no longer be sure it holds it. */
export interface Lease {
  lost: AbortSignal;
  release(): Promise<void>;
}

/** What differs between the adapters: how to try a lock once. */
export interface LockBackend {
  /** Null when someone else holds it. May throw (e.g. the database is away): the loop retries. */
  tryAcquire(name: string): Promise<Lease | null>;
}

export interface LeadershipLoopOptions {
  /** Wait between attempts to take a lock someone else holds. */
  retryIntervalMs: number;
  /** Aborted when the adapter closes: every run() then ends as if its signal had aborted. */
  closed: AbortSignal;
  /** Gets errors from attempts to take a lock (they are retried). */
  onError: (error: unknown, name: string) => void;
}

/** The Leadership port's loop over any lock backend: acquire, run, and start over on loss. */
export function leadershipLoop(backend: LockBackend, options: LeadershipLoopOptions): Leadership {
  return {
    async run(name, fn, signal) {
      const stop = AbortSignal.any([signal, options.closed]);
      while (!stop.aborted) {
        let lease: Lease | null = null;
        try {
          lease = await backend.tryAcquire(name);
        } catch (error) {
          options.onError(error, name);
        }
        if (lease === null) {
          await sleep(options.retryIntervalMs, stop);
          continue;
        }
        const inner = AbortSignal.any([stop, lease.lost]);
        try {
          await fn(inner);
          if (!lease.lost.aborted || stop.aborted) return;
        } catch (error) {
          // After a loss or a stop, fn failing is how it noticed; only its own failures surface.
          if (stop.aborted) return;
          if (!lease.lost.aborted) throw error;
        } finally {
          await lease.release().catch((error: unknown) => options.onError(error, name));
        }
        // A node that just lost its lock is the likelier culprit (its connection died): it waits
        // longer than the others retry, so a healthy contender takes over first.
        await sleep(options.retryIntervalMs * 2, stop);
      }
    },
  };
}
