import type { EventStore } from "../../ports/event-store.port.ts";
import { withTransferRetry } from "../storage/transfer-retry.ts";
import { isTransientStoreError } from "./transient-store-error.ts";
import { withDefaults } from "../../shared/with-defaults.ts";

export const APPEND_RETRY_DEFAULTS = {
  /** How long an append keeps trying through a store outage before it fails. Default: 30000 ms. */
  maxElapsedMs: 30_000,
  /** First back-off, doubled per try with full jitter. Default: 100 ms. */
  baseDelayMs: 100,
  /** Longest back-off between two tries. Default: 2000 ms. */
  maxDelayMs: 2000,
};

export type AppendRetryOptions = Partial<typeof APPEND_RETRY_DEFAULTS> & {
  /** Called before each retry, e.g. to log it. */
  onRetry?: (error: unknown, attempt: number, streamId: string) => void;
};

/** The store with appends that ride out a short outage: an append that fails on a connection
 * error is sent again — the same events, ids and expected revision — with backoff, for up to
 * `maxElapsedMs`, while the caller (a running worker's stream) simply waits. Idempotent: when the
 * first try committed but its answer was lost, the store recognises the same ids at the same
 * revisions (append-rules.ts `detectRetry`; EventStoreDB does the same) and returns the first
 * result instead of writing twice. */
export function withAppendRetry<S extends EventStore>(store: S, options: AppendRetryOptions = {}): S {
  const o = withDefaults(APPEND_RETRY_DEFAULTS, options);
  return {
    ...store,
    append: (streamId, events, appendOptions) =>
      withTransferRetry(() => store.append(streamId, events, appendOptions), {
        attempts: Infinity,
        baseDelayMs: o.baseDelayMs,
        maxDelayMs: o.maxDelayMs,
        maxElapsedMs: o.maxElapsedMs,
        isTransient: isTransientStoreError,
        onRetry: (error, attempt) => o.onRetry?.(error, attempt, streamId),
      }),
  };
}
