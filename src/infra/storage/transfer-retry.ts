import { sleep } from "../../shared/abortable-sleep.ts";

export const TRANSFER_RETRY_DEFAULTS = {
  /** Whole-transfer attempts, on top of the SDK's per-request retries. Default: 3. */
  attempts: 3,
  /** First back-off; doubled per attempt, with full jitter. Default: 500 ms. */
  baseDelayMs: 500,
  /** Longest single back-off. Default: 10000 ms. */
  maxDelayMs: 10_000,
};

export type TransferRetryOptions = Partial<typeof TRANSFER_RETRY_DEFAULTS> & {
  signal?: AbortSignal | undefined;
  isTransient: (error: unknown) => boolean;
  /** Called before each retry, e.g. to log it. */
  onRetry?: (error: unknown, attempt: number) => void;
  /** Stop retrying once this much time has passed since the first attempt (with `attempts:
   * Infinity`, a time budget instead of a count: "ride out an outage of up to N s"). Default: none. */
  maxElapsedMs?: number;
};

/** Runs `fn(attempt)` until it succeeds, fails with a non-transient error, runs out of attempts or
 * of time, or the signal aborts. The SDK already retries single requests; this covers what it
 * cannot: a body stream that breaks half-way through a multi-GB transfer — and, with a time budget,
 * any dependency call that should ride out a short outage (event store appends, Redis). */
export async function withTransferRetry<T>(fn: (attempt: number) => Promise<T>, options: TransferRetryOptions): Promise<T> {
  const attempts = options.attempts ?? TRANSFER_RETRY_DEFAULTS.attempts;
  const base = options.baseDelayMs ?? TRANSFER_RETRY_DEFAULTS.baseDelayMs;
  const maxDelay = options.maxDelayMs ?? TRANSFER_RETRY_DEFAULTS.maxDelayMs;
  const deadline = options.maxElapsedMs === undefined ? Infinity : Date.now() + options.maxElapsedMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (attempt >= attempts || !options.isTransient(error)) throw error;
      // The last try comes at the deadline, not a back-off before it.
      const left = deadline - Date.now();
      if (left <= 0) throw error;
      options.onRetry?.(error, attempt);
      if (!(await sleep(Math.min(left, maxDelay, Math.random() * base * 2 ** (attempt - 1)), options.signal))) throw options.signal?.reason;
    }
  }
}
