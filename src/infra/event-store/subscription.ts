import type { ReadAllOptions, StoredEvent, SubscribeOptions } from "../../ports/event-store.port.ts";
import type { Wakeup } from "./wakeup.ts";

export interface SubscriptionDeps {
  readAll(options: ReadAllOptions): Promise<StoredEvent[]>;
  wakeup: Wakeup;
  /** Aborted when the store closes. */
  closed: AbortSignal;
  pollIntervalMs: number;
  batchSize: number;
}

/** Catch-up then live, as one loop: read pages after the last delivered position until a short
 * page, then wait for a wake-up. Skipping is impossible because positions become visible in
 * commit order (see the append's advisory lock), so "position > last seen" never passes over a
 * transaction that commits later. Abort or close ends the iteration without an error. */
export async function* subscribeToAll(deps: SubscriptionDeps, options: SubscribeOptions = {}): AsyncGenerator<StoredEvent> {
  const signal = options.signal ? AbortSignal.any([options.signal, deps.closed]) : deps.closed;
  let after = options.after;
  while (!signal.aborted) {
    const seen = deps.wakeup.version;
    let page: StoredEvent[];
    try {
      page = await deps.readAll({
        maxCount: deps.batchSize,
        ...(after === undefined ? {} : { after }),
        ...(options.streamPrefix === undefined ? {} : { streamPrefix: options.streamPrefix }),
      });
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
    for (const event of page) {
      if (signal.aborted) return;
      yield event;
      after = event.position;
    }
    if (page.length < deps.batchSize) await deps.wakeup.wait(seen, deps.pollIntervalMs, signal);
  }
}
