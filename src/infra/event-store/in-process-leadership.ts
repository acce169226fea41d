import type { Leadership } from "../../ports/leadership.port.ts";
import { leadershipLoop, type Lease } from "./leadership-loop.ts";

export interface InProcessLeadershipOptions {
  /** Wait between attempts to take a lock another run() holds. Default: 200. */
  retryIntervalMs?: number;
}

export const IN_PROCESS_LEADERSHIP_DEFAULTS = { retryIntervalMs: 200 } as const;

export type ClosableLeadership = Leadership & { close(): Promise<void> };

/** Leadership for PGlite: one process owns the data directory, so the only contenders are other
 * run() calls in this process and a plain set of held names is the whole lock. close() aborts every
 * holder and ends every waiting run(). */
export function createInProcessLeadership(options: InProcessLeadershipOptions = {}): ClosableLeadership {
  const held = new Map<string, AbortController>();
  const closing = new AbortController();
  const leadership = leadershipLoop(
    {
      tryAcquire(name): Promise<Lease | null> {
        if (held.has(name) || closing.signal.aborted) return Promise.resolve(null);
        const lost = new AbortController();
        held.set(name, lost);
        return Promise.resolve({
          lost: lost.signal,
          release: () => {
            if (held.get(name) === lost) held.delete(name);
            return Promise.resolve();
          },
        });
      },
    },
    {
      retryIntervalMs: options.retryIntervalMs ?? IN_PROCESS_LEADERSHIP_DEFAULTS.retryIntervalMs,
      closed: closing.signal,
      onError: () => {},
    },
  );
  return {
    run: leadership.run,
    close() {
      closing.abort(new Error("leadership closed"));
      for (const lost of held.values()) lost.abort(new Error("leadership closed"));
      return Promise.resolve();
    },
  };
}
