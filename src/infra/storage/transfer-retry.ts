export const TRANSFER_RETRY_DEFAULTS = {
  /** Whole-transfer attempts, on top of the SDK's per-request retries. Default: 3. */
  attempts: 3,
  /** First back-off; doubled per attempt, with full jitter. Default: 500 ms. */
  baseDelayMs: 500,
};

export type TransferRetryOptions = Partial<typeof TRANSFER_RETRY_DEFAULTS> & {
  signal?: AbortSignal | undefined;
  isTransient: (error: unknown) => boolean;
  /** Called before each retry, e.g. to log it. */
  onRetry?: (error: unknown, attempt: number) => void;
};

/** Runs `fn(attempt)` until it succeeds, fails with a non-transient error, runs out of attempts, or the
 * signal aborts. The SDK already retries single requests; this covers what it cannot: a body stream
 * that breaks half-way through a multi-GB download or upload. */
export async function withTransferRetry<T>(fn: (attempt: number) => Promise<T>, options: TransferRetryOptions): Promise<T> {
  const attempts = options.attempts ?? TRANSFER_RETRY_DEFAULTS.attempts;
  const base = options.baseDelayMs ?? TRANSFER_RETRY_DEFAULTS.baseDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (attempt >= attempts || !options.isTransient(error)) throw error;
      options.onRetry?.(error, attempt);
      await sleep(Math.random() * base * 2 ** (attempt - 1), options.signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
