import type { ProgressMessage } from "../contracts/progress-message.ts";
import type { Logger } from "../infra/logger.ts";
import type { ProgressBus } from "../ports/progress-bus.port.ts";

/** The last progress message the projection sent for each task still running, kept across the
 * projection's restarts: after Redis comes back empty (it keeps nothing on disk), these are written
 * again at once, so a page that reconnects finds its bar without waiting for the next progress. */
export interface LastProgressMemory {
  remember(streamId: string, channel: string, message: ProgressMessage): void;
  forget(streamId: string): void;
  readonly size: number;
  /** Publishes every remembered message again; resolves to how many went out. */
  rewrite(bus: ProgressBus, logger: Logger): Promise<number>;
}

export function createLastProgressMemory(): LastProgressMemory {
  const last = new Map<string, { channel: string; message: ProgressMessage }>();
  return {
    remember(streamId, channel, message) {
      last.set(streamId, { channel, message });
    },
    forget(streamId) {
      last.delete(streamId);
    },
    get size() {
      return last.size;
    },
    async rewrite(bus, logger) {
      let sent = 0;
      for (const { channel, message } of [...last.values()]) {
        try {
          await bus.publish(channel, message);
          sent += 1;
        } catch (error) {
          logger.warn({ err: error, task_id: message.task_id }, "could not rewrite last progress after reconnect");
          break;
        }
      }
      return sent;
    },
  };
}
