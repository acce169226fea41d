import type { ProgressBus } from "../../ports/progress-bus.port.ts";

/** A bus whose backend can lose everything it held (Redis keeps nothing on disk) tells when it is
 * back, so whoever knows the current state — the progress projection — can write it again. */
export interface ReconnectNotifier {
  /** Calls `listener` each time the connection is ready again after it was lost. */
  onReconnect(listener: () => void): () => void;
}

export function reconnectNotifierOf(bus: ProgressBus): ReconnectNotifier | null {
  const candidate = bus as Partial<ReconnectNotifier>;
  return typeof candidate.onReconnect === "function" ? (candidate as ReconnectNotifier) : null;
}
