import type { SlotBroker, SlotGrant, SlotRequest } from "../../src/ports/slot-broker.port.ts";
import { abortReason } from "../../src/shared/abort-reason.ts";

/** A deterministic broker for tests: up to `maxConcurrent` slots in priority-then-age order, with
 * none of the resource broker's sampling. */
export function createFifoSlotBroker(options: { maxConcurrent: number }): SlotBroker {
  const running = new Set<string>();
  const waiting: { req: SlotRequest; resolve: (g: SlotGrant) => void }[] = [];
  const pump = () => {
    waiting.sort((a, b) => b.req.priority - a.req.priority || a.req.submittedAt.localeCompare(b.req.submittedAt));
    while (running.size < options.maxConcurrent && waiting.length) {
      const next = waiting.shift()!;
      running.add(next.req.taskId);
      next.resolve({ taskId: next.req.taskId, cpuPercent: 100 / options.maxConcurrent, ramBytes: 0, exclusive: false });
    }
  };
  return {
    request(req, signal) {
      return new Promise<SlotGrant>((resolve, reject) => {
        const entry = { req, resolve };
        waiting.push(entry);
        signal?.addEventListener(
          "abort",
          () => {
            const i = waiting.indexOf(entry);
            if (i >= 0) {
              waiting.splice(i, 1);
              reject(abortReason(signal));
            }
          },
          { once: true },
        );
        pump();
      });
    },
    release(taskId) {
      running.delete(taskId);
      pump();
    },
  };
}
