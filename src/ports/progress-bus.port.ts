import type { ProgressMessage } from "../contracts/progress-message.ts";

/** Progress bus port (DESIGN.md §6). Adapters: in-process, Redis Pub/Sub. */
export interface ProgressBus {
  /** Publishes to the task's channel and stores it as the last progress (1 h TTL in Redis). */
  publish(channel: string, message: ProgressMessage): Promise<void>;
  last(taskId: string): Promise<ProgressMessage | null>;
  /** Calls `onMessage` for every message on the channel until the returned function is called. */
  subscribe(channel: string, onMessage: (message: ProgressMessage) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
