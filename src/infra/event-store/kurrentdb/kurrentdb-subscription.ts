import type { AllStreamResolvedEvent, Filter, KurrentDBClient } from "@kurrent/kurrentdb-client";
import type { StoredEvent, SubscribeOptions } from "../../../ports/event-store.port.ts";
import { toPosition, toStoredEvent } from "./kurrentdb-mapping.ts";
import { isVisible, portId, streamSelection, type StreamScope, type StreamSelection } from "./kurrentdb-streams.ts";

/** The client's filter for a selection: matched on stream names, server-side. */
export function toFilter(selection: StreamSelection): Filter {
  return { filterOn: "streamName", checkpointInterval: 1, ...selection };
}

export interface SubscriptionDeps {
  client: KurrentDBClient;
  scope: StreamScope;
  /** Aborted when the store closes. */
  closed: AbortSignal;
}

/** Catch-up then live over the server's own `$all` subscription: the server pushes each commit,
 * so live delivery needs no polling. A subscription from a position is exclusive of it; events at
 * or before `after` are dropped anyway, so a server that replays the boundary event cannot make a
 * projection handle it twice. Abort or close ends the iteration without an error. */
export async function* subscribeToAll(deps: SubscriptionDeps, options: SubscribeOptions = {}): AsyncGenerator<StoredEvent> {
  const signal = options.signal ? AbortSignal.any([options.signal, deps.closed]) : deps.closed;
  if (signal.aborted) return;
  let after = options.after;
  const subscription = deps.client.subscribeToAll({
    fromPosition: after === undefined ? "start" : toPosition(after),
    filter: toFilter(streamSelection(deps.scope, options.streamPrefix)),
  });
  const stop = () => void subscription.unsubscribe().catch(() => {});
  signal.addEventListener("abort", stop, { once: true });
  try {
    for await (const resolved of subscription as AsyncIterable<AllStreamResolvedEvent>) {
      if (signal.aborted) return;
      const event = toStoredEvent(resolved);
      if (event === null || !isVisible(deps.scope, event.streamId, options.streamPrefix)) continue;
      if (after !== undefined && event.position <= after) continue;
      yield { ...event, streamId: portId(deps.scope, event.streamId) };
      after = event.position;
    }
  } catch (error) {
    if (signal.aborted) return;
    throw error;
  } finally {
    signal.removeEventListener("abort", stop);
    stop();
  }
}
