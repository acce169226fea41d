import { AppError } from "../../contracts/app-error.ts";
import type { ObjectStorage } from "../../ports/storage.port.ts";
import { CIRCUIT_BREAKER_DEFAULTS, CircuitOpenError, createCircuitBreaker, type CircuitBreaker, type CircuitState } from "./circuit-breaker.ts";
import { isTransientS3Error } from "./s3-errors.ts";
import { TRANSFER_RETRY_DEFAULTS, withTransferRetry } from "./transfer-retry.ts";
import { withDefaults } from "../../shared/with-defaults.ts";

export const RESILIENT_STORAGE_DEFAULTS = {
  ...CIRCUIT_BREAKER_DEFAULTS,
  /** Tries of a `head` or `list` that fails transiently (transfers retry inside the adapter). Default: 3. */
  metadataAttempts: TRANSFER_RETRY_DEFAULTS.attempts,
  /** Default: 200 ms. */
  retryBaseDelayMs: 200,
};

export interface ResilientStorageOptions extends Partial<typeof RESILIENT_STORAGE_DEFAULTS> {
  onStateChange?: (state: CircuitState) => void;
  now?: () => number;
}

/** A storage failure that says the storage is away (a broken socket, 5xx, throttling) rather than
 * answering (a missing object, access denied). Adapters wrap driver errors in STORAGE_ERROR with
 * the driver error as cause. */
export function isStorageOutage(error: unknown): boolean {
  if (error instanceof CircuitOpenError) return false;
  if (error instanceof AppError) return error.code === "STORAGE_ERROR" && error.recoverable && (error.cause === undefined || isTransientS3Error(error.cause));
  return isTransientS3Error(error);
}

/** Storage behind a circuit breaker: once it fails `failureThreshold` times in a row with an outage,
 * every call fails at once (STORAGE_ERROR, recoverable — the task retries later) for `openMs`, so a
 * dead S3 endpoint is not hammered by every task and probe; `head` and `list` are also retried
 * with backoff. Transfers hold no CPU slot here: this wraps the adapter inside the I/O limiter. */
export function withStorageBreaker<S extends ObjectStorage>(storage: S, options: ResilientStorageOptions = {}): S & { breaker: CircuitBreaker } {
  const o = withDefaults(RESILIENT_STORAGE_DEFAULTS, options);
  const breaker = createCircuitBreaker({
    name: "object storage",
    isFailure: (error) => !(error instanceof Cancelled) && isStorageOutage(error),
    failureThreshold: o.failureThreshold,
    openMs: o.openMs,
    ...(options.onStateChange ? { onStateChange: (state: CircuitState) => options.onStateChange!(state) } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  // A transfer its caller aborted says nothing about the storage: it does not count.
  const guarded = <T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> =>
    breaker
      .run(() =>
        fn().catch((error: unknown) => {
          throw signal?.aborted ? new Cancelled(error) : error;
        }),
      )
      .catch((error: unknown) => {
        if (error instanceof Cancelled) throw error.error;
        if (error instanceof CircuitOpenError) throw new AppError("STORAGE_ERROR", error.message, { cause: error });
        throw error;
      });
  const retried = <T>(fn: () => Promise<T>): Promise<T> => withTransferRetry(() => guarded(fn), { attempts: o.metadataAttempts, baseDelayMs: o.retryBaseDelayMs, isTransient: isStorageOutage });
  return {
    ...storage,
    breaker,
    download: (bucket, key, destPath, opts) => guarded(() => storage.download(bucket, key, destPath, opts), opts?.signal),
    upload: (bucket, key, srcPath, opts) => guarded(() => storage.upload(bucket, key, srcPath, opts), opts?.signal),
    head: (bucket, key) => retried(() => storage.head(bucket, key)),
    list: (bucket, prefix) => retried(() => storage.list(bucket, prefix)),
  };
}

class Cancelled {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}
