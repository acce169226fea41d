import { createWebSocketInspector } from "@statelyai/inspect";
import type { InspectionEvent } from "xstate";

/** Live inspection (opt-in, STATELY_INSPECT): every task actor and the broker actor stream their
 * events and snapshots to a Stately inspector listening on a WebSocket. */
export interface LiveInspection {
  /** For `createActor(machine, { inspect })`. */
  inspect: (event: InspectionEvent) => void;
  stop(): void;
}

export function startLiveInspection(url: string): LiveInspection {
  const inspector = createWebSocketInspector({ url });
  return {
    inspect: (event) => inspector.inspect.next?.(event),
    stop: () => inspector.stop(),
  };
}
