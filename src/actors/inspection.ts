import type { InspectionEvent } from "xstate";

/** Live inspection (opt-in, STATELY_INSPECT): every task actor and the broker actor stream their
 * events and snapshots to a Stately inspector listening on a WebSocket. */
export interface LiveInspection {
  /** For `createActor(machine, { inspect })`. */
  inspect: (event: InspectionEvent) => void;
  stop(): void;
}

/** Loaded only when asked for: a node that does not inspect never loads the inspector or `ws`. */
export async function startLiveInspection(url: string): Promise<LiveInspection> {
  const { createWebSocketInspector } = await import("@statelyai/inspect");
  const inspector = createWebSocketInspector({ url });
  return {
    inspect: (event) => inspector.inspect.next?.(event),
    stop: () => inspector.stop(),
  };
}
